"""Pausing and resuming the SLA clock, by hand or at a set time, and reclassifying by hand.

Each is one audited work-order change with its webhook event; the clock event is appended to the
log in the same transaction and every deadline is recomputed from the log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workorders import intake, service
from workorders.db import in_transaction
from workorders.errors import InvalidInput
from workorders.models import FINISHED, Asset, Priority, Status, WorkOrder
from workorders.sla import service as sla
from workorders.sla.clock import Event
from workorders.sla.models import ClockEventKind, PauseReason, SlaPlan

AUTO_RESUME = "vigil (automatic resume)"


def pause(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    reason: PauseReason,
    actor: str,
    now: datetime,
    resume_at: datetime | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Stop the clock while waiting for the customer or for parts; ``resume_at`` resumes it by
    itself at that time (else it runs again when resumed by hand)."""
    wo = service.load_for_change(
        session=session, work_order_id=work_order_id, expected_version=expected_version
    )
    reason = PauseReason(reason)
    if wo.status.value in FINISHED or wo.status is Status.RESOLVED:
        raise InvalidInput(f"{wo.number} is {wo.status.value}: its SLA clock has stopped")
    if wo.sla_paused_since is not None:
        raise InvalidInput(
            f"{wo.number} is already paused since {wo.sla_paused_since.isoformat()} "
            f"({wo.sla_pause_reason}): resume it first"
        )
    if resume_at is not None and resume_at <= now:
        raise InvalidInput("resume_at must be later than now")
    event = Event(kind=ClockEventKind.PAUSE, at=now, reason=reason.value, resume_at=resume_at)
    changes = sla.change(session=session, wo=wo, event=event, actor=actor, now=now)
    until = f" until {resume_at.isoformat()}" if resume_at else ""
    return service.apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        event="work_order.updated",
        action=f"sla paused: {reason.value}{until}",
        **changes,
    )


def resume(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    actor: str,
    now: datetime,
    expected_version: int | None = None,
) -> WorkOrder:
    wo = service.load_for_change(
        session=session, work_order_id=work_order_id, expected_version=expected_version
    )
    if wo.sla_paused_since is None:
        raise InvalidInput(f"{wo.number}: its SLA clock is not paused")
    at = min(now, wo.sla_resume_at) if wo.sla_resume_at is not None else now
    event = Event(
        kind=ClockEventKind.RESUME, at=at, reason="by hand" if actor != AUTO_RESUME else "scheduled"
    )
    changes = sla.change(session=session, wo=wo, event=event, actor=actor, now=now)
    return service.apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        event="work_order.updated",
        action="sla resumed",
        **changes,
    )


def reclassify(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    priority: Priority,
    actor: str,
    now: datetime,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """A new priority by hand (a dispatcher's decision, with why): deadlines recomputed."""
    wo = service.load_for_change(
        session=session, work_order_id=work_order_id, expected_version=expected_version
    )
    priority = Priority(priority)
    if priority is wo.priority:
        raise InvalidInput(f"{wo.number} is already {priority.value}")
    if not reason.strip():
        raise InvalidInput("say why the priority changes (reason)")
    changes = intake.reclassified(session=session, wo=wo, priority=priority, actor=actor, now=now)
    return service.apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        event="work_order.updated",
        action=f"reclassified {wo.priority.value} -> {priority.value}: {reason.strip()}",
        **changes,
    )


def resume_due(*, session_factory: sessionmaker[Session], now: datetime) -> list[str]:
    """Write the resume of every pause whose ``resume_at`` has come (a scheduled job)."""

    def run(session: Session) -> list[str]:
        due = session.scalars(
            sa.select(WorkOrder.id)
            .where(WorkOrder.sla_paused_since.is_not(None), WorkOrder.sla_resume_at <= now)
            .limit(500)
        ).all()
        done = []
        for wo_id in due:
            wo = resume(session=session, work_order_id=wo_id, actor=AUTO_RESUME, now=now)
            done.append(wo.number)
        return done

    return in_transaction(session_factory, run)


def recompute(
    *, session: Session, work_order_ids: list[uuid.UUID], actor: str, now: datetime, why: str
) -> list[str]:
    """Recompute the clocks of these work orders from their logs (a plan or a site calendar was
    edited): the deadlines that move are saved, with an audit entry saying why."""
    changed = []
    for wo_id in work_order_ids:
        wo = service.load_for_change(session=session, work_order_id=wo_id, expected_version=None)
        changes = sla.change(session=session, wo=wo, event=None, actor=actor, now=now)
        moved = {k: v for k, v in changes.items() if getattr(wo, k) != v}
        if moved:
            service.apply_change(
                session=session,
                wo=wo,
                now=now,
                actor=actor,
                event="work_order.updated",
                action=f"sla recomputed: {why}",
                **moved,
            )
            changed.append(wo.number)
    return changed


def open_work(
    *, session: Session, plan_id: int | None = None, site_id: int | None = None
) -> list[uuid.UUID]:
    """Open work orders whose clock counts with this plan, or whose asset is at this site."""
    query = sa.select(WorkOrder).where(WorkOrder.status.not_in([*FINISHED, Status.RESOLVED.value]))
    if site_id is not None:
        query = query.join(Asset, Asset.id == WorkOrder.asset_id).where(Asset.site_id == site_id)
    rows = session.scalars(query).all()
    if plan_id is None:
        return [wo.id for wo in rows]
    return [wo.id for wo in rows if sla.current_plan_id(session=session, wo_id=wo.id) == plan_id]


def plan_edited(*, session: Session, plan_id: int, actor: str, now: datetime) -> list[str]:
    """After a plan edit: the open work counting with it gets its deadlines recomputed."""
    plan = session.get(SlaPlan, plan_id)
    name = plan.name if plan is not None else str(plan_id)
    ids = open_work(session=session, plan_id=plan_id)
    return recompute(
        session=session, work_order_ids=ids, actor=actor, now=now, why=f"SLA plan {name!r} edited"
    )


def site_calendar_edited(*, session: Session, site_id: int, actor: str, now: datetime) -> list[str]:
    """After a site's hours or holidays changed: its open work gets its deadlines recomputed."""
    ids = open_work(session=session, site_id=site_id)
    return recompute(
        session=session, work_order_ids=ids, actor=actor, now=now, why="site calendar edited"
    )
