"""Pausing and resuming the SLA clock, by hand or at a set time, and reclassifying by hand.

Each is one audited work-order change with its webhook event; the clock event is appended to the
log in the same transaction and every deadline is recomputed from the log.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workorders import service
from workorders.db import in_transaction
from workorders.errors import InvalidInput
from workorders.models import FINISHED, Priority, Status, WorkOrder
from workorders.sla import service as sla
from workorders.sla.clock import Event
from workorders.sla.models import ClockEventKind, PauseReason

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
    changes = service.reclassified(session=session, wo=wo, priority=priority, actor=actor, now=now)
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
