"""Turning a due occurrence into work, and noticing when that work is done.

An occurrence is inserted with ``ON CONFLICT DO NOTHING`` on ``(plan, asset, due key)`` before any
work order is touched: the transaction that inserted it makes the work, any other (a rerun, a
second scheduler) finds it there and does nothing. Its work is one visit to the asset:

- an open predictive work order on the asset (opened by an alert) takes the checklist: the
  engineer already going there does the maintenance too, and the occurrence records the
  attachment;
- else an open preventive work order on the asset (another plan's, or this plan's previous
  occurrence still not done) takes it, for the same reason;
- else a new preventive work order (kind ``service``, channel ``preventive``, category
  ``preventive_maintenance``) with the checklist as its suggested actions.

Each is also recorded as a request of the ``preventive`` channel, like any other channel's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from customers import contracts
from customers.models import Asset
from knowledge.models import Article
from planning.models import MaintenancePlan, Occurrence, OccurrenceStatus, Outcome
from planning.service import checklist
from workorders.counters import lock_changes
from workorders.intake import insert_work_order, with_channel
from workorders.models import FINISHED, Kind, Status, WorkOrder
from workorders.requests.log import Received, record_request
from workorders.requests.models import Category, Channel
from workorders.requests.models import Outcome as RequestOutcome
from workorders.service import apply_change

GENERATOR = "vigil (preventive plans)"
DETECTOR = "maintenance_plan"


@dataclass(frozen=True, slots=True)
class Due:
    """One due date (or counter value, or condition episode) of a plan on an asset."""

    key: str
    at: datetime | None
    hours: float | None
    reason: str


@dataclass(frozen=True, slots=True)
class Made:
    occurrence: Occurrence
    work_order: WorkOrder | None


def insert_once(session: Session, **values: object) -> int | None:
    """Insert an occurrence unless its (plan, asset, due key) exists; its id, or None."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Occurrence)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["plan_id", "asset_id", "due_key"])
        .returning(Occurrence.id)
    )
    return session.execute(statement).scalar_one_or_none()


def generate(
    *,
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    due: Due,
    now: datetime,
    skipped_by: str | None = None,
) -> Made | None:
    """Record the occurrence and make its work; None when it existed already.

    ``skipped_by``: a later due date of the same catch-up supersedes this one (recorded as
    skipped and missed, no work order).
    """
    steps = checklist(session=session, plan=plan)
    values: dict[str, object] = {
        "plan_id": plan.id,
        "asset_id": asset.id,
        "due_key": due.key,
        "due_at": due.at,
        "due_hours": due.hours,
        "generated_at": now,
        "checklist": steps,
        "reason": due.reason[:500],
    }
    if skipped_by is not None:
        values |= {
            "outcome": Outcome.SKIPPED,
            "status": OccurrenceStatus.MISSED,
            "reason": f"{due.reason}; skipped: superseded by {skipped_by} (catch-up)"[:500],
        }
        new = insert_once(session, **values)
        return None if new is None else Made(session.get_one(Occurrence, new), None)
    new = insert_once(session, outcome=Outcome.CREATED, status=OccurrenceStatus.OPEN, **values)
    if new is None:
        return None
    occurrence = session.get_one(Occurrence, new)
    wo, outcome, why = _work(
        session=session, plan=plan, asset=asset, occurrence=occurrence, steps=steps, now=now
    )
    occurrence.work_order_id = wo.id
    occurrence.outcome = outcome
    occurrence.reason = f"{due.reason}; {why}"[:500]
    session.flush()
    return Made(occurrence, wo)


def _parts(session: Session, plan: MaintenancePlan) -> list[str]:
    parts: list[str] = []
    for article_id in plan.article_ids or []:
        article = session.get(Article, article_id)
        if article is not None:
            parts.extend(p for p in article.parts if p not in parts)
    return parts


def _open_on_asset(session: Session, asset: Asset, channel: Channel) -> WorkOrder | None:
    """The oldest open work order on the asset from ``channel`` that nobody has finished yet."""
    query = (
        sa.select(WorkOrder)
        .where(
            WorkOrder.asset_id == asset.id,
            WorkOrder.channel == channel.value,
            WorkOrder.status.not_in((*FINISHED, Status.RESOLVED.value)),
        )
        .order_by(WorkOrder.created_at)
        .limit(1)
    )
    if channel is Channel.ALERT:
        query = query.where(WorkOrder.kind == Kind.EQUIPMENT)
    return session.scalars(query.with_for_update()).first()


def _work(
    *,
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    occurrence: Occurrence,
    steps: list[str],
    now: datetime,
) -> tuple[WorkOrder, Outcome, str]:
    lock_changes(session=session)
    cover = contracts.cover(
        session=session, asset=asset, on=now.date(), category=Category.PREVENTIVE_MAINTENANCE
    )
    received = Received(
        channel=Channel.PREVENTIVE,
        category=Category.PREVENTIVE_MAINTENANCE,
        description=f"Preventive plan {plan.name!r}, due {occurrence.due_key}",
        problem=f"pm_{plan.id}",
        wanted_at=occurrence.due_at,
    )
    for channel, what in ((Channel.ALERT, "predictive"), (Channel.PREVENTIVE, "preventive")):
        open_wo = _open_on_asset(session, asset, channel)
        if open_wo is None:
            continue
        labelled = [f"[PM {plan.name}] {s}" for s in steps]
        changes = with_channel(open_wo, Channel.PREVENTIVE)
        added = [s for s in labelled if s not in open_wo.suggested_actions]
        if added:
            changes["suggested_actions"] = [*open_wo.suggested_actions, *added]
        parts = [p for p in _parts(session, plan) if p not in open_wo.suggested_parts]
        if parts:
            changes["suggested_parts"] = [*open_wo.suggested_parts, *parts]
        apply_change(
            session=session,
            wo=open_wo,
            now=now,
            actor=GENERATOR,
            action=f"preventive plan {plan.name!r} ({occurrence.due_key}) attached",
            event="work_order.updated",
            **changes,
        )
        why = f"attached to open {what} work order {open_wo.number}: one visit, one engineer"
        record_request(
            session=session,
            received=received,
            asset=asset,
            work_order=open_wo,
            outcome=RequestOutcome.ATTACHED,
            priority=open_wo.priority,
            reasons=[why],
            cover=cover,
            actor=GENERATOR,
            now=now,
        )
        return open_wo, Outcome.ATTACHED, why
    reasons = [f"preventive plan {plan.name!r}: priority {plan.priority.value} as the plan sets"]
    wo = insert_work_order(
        session=session,
        asset=asset,
        priority=plan.priority,
        now=now,
        actor=GENERATOR,
        kind=Kind.SERVICE,
        # One code per occurrence: the one-open-per-problem index must not refuse the next due
        # date while the previous one's work waits, resolved, for its follow-up to close it.
        fault_code=f"pm_{plan.id}_{occurrence.id}",
        fault_title=f"Preventive maintenance: {plan.name} (due {occurrence.due_key})"[:200],
        detector=DETECTOR,
        model_version="",
        score=0.0,
        threshold=0.0,
        top_metrics={},
        detected_at=now,
        predicted_failure_at=None,
        suggested_actions=list(steps),
        suggested_parts=_parts(session, plan),
        channel=Channel.PREVENTIVE.value,
        channels=[Channel.PREVENTIVE.value],
        category=Category.PREVENTIVE_MAINTENANCE.value,
        classification=reasons,
        billable=cover.billable,
        billable_reason=cover.reason,
    )
    record_request(
        session=session,
        received=received,
        asset=asset,
        work_order=wo,
        outcome=RequestOutcome.CREATED,
        priority=plan.priority,
        reasons=reasons,
        cover=cover,
        actor=GENERATOR,
        now=now,
    )
    return wo, Outcome.CREATED, f"opened {wo.number}"


@dataclass(frozen=True, slots=True)
class Settled:
    """An occurrence whose work order finished: done (with when) or missed (cancelled)."""

    occurrence: Occurrence
    done_at: datetime | None


def settle(
    *,
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    counter_at: Callable[[datetime], float | None] | None = None,
) -> list[Settled]:
    """Mark the open occurrences whose work order was resolved (done) or cancelled (missed)."""
    rows = session.execute(
        sa.select(Occurrence, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Occurrence.work_order_id)
        .where(
            Occurrence.plan_id == plan.id,
            Occurrence.asset_id == asset.id,
            Occurrence.status == OccurrenceStatus.OPEN,
        )
        .order_by(Occurrence.id)
    ).all()
    settled: list[Settled] = []
    for occurrence, wo in rows:
        if wo.status is Status.CANCELLED:
            occurrence.status = OccurrenceStatus.MISSED
            occurrence.reason = f"{occurrence.reason}; its work order was cancelled"[:500]
            settled.append(Settled(occurrence, None))
        elif wo.status in (Status.RESOLVED, Status.CLOSED):
            done_at = wo.resolved_at or wo.closed_at or wo.updated_at
            occurrence.status = OccurrenceStatus.DONE
            occurrence.done_at = done_at
            if counter_at is not None:
                occurrence.done_hours = counter_at(done_at)
            settled.append(Settled(occurrence, done_at))
    session.flush()
    return settled
