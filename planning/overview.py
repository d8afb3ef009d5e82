"""Each plan at a glance: its next due, the occurrence it made last, its PM compliance.

Built from what ``service`` and ``compliance`` already answer, for the plans page and
``GET /api/v1/plans/overview``; a handful of queries whatever the number of plans.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import InvalidInput
from planning import service
from planning.compliance import Compliance, by_plan
from planning.models import MaintenancePlan, Occurrence, Trigger
from planning.schemas import ComplianceCounts, OccurrenceRead, PlanOverview, UpcomingRead
from workorders.models import WorkOrder


def _hours_to_go(row: UpcomingRead) -> float | None:
    if row.next_due_hours is None or row.run_hours is None:
        return None
    return row.next_due_hours - row.run_hours


def _soonest(trigger: Trigger, rows: list[UpcomingRead]) -> UpcomingRead | None:
    if trigger is Trigger.CALENDAR:
        dated = [r for r in rows if r.next_due_on is not None]
        return min(dated, key=lambda r: r.next_due_on or date.max, default=None)
    if trigger is Trigger.RUNNING_HOURS:
        counted = [r for r in rows if _hours_to_go(r) is not None]
        return min(counted, key=lambda r: _hours_to_go(r) or 0.0, default=None)
    # A condition has no due date: show an episode that fired and waits to clear, if any.
    return next((r for r in rows if r.armed is False), None)


def _last_occurrences(session: Session) -> dict[int, OccurrenceRead]:
    # Newest by when it was generated (a loaded history need not insert in that order).
    rank = (
        sa.select(
            Occurrence.id,
            sa.func.row_number()
            .over(
                partition_by=Occurrence.plan_id,
                order_by=(Occurrence.generated_at.desc(), Occurrence.id.desc()),
            )
            .label("n"),
        )
    ).subquery()
    query = (
        sa.select(Occurrence, WorkOrder.number)
        .join(rank, sa.and_(rank.c.id == Occurrence.id, rank.c.n == 1))
        .outerjoin(WorkOrder, WorkOrder.id == Occurrence.work_order_id)
    )
    return {
        row.plan_id: service.occurrence_read(row, number) for row, number in session.execute(query)
    }


def _counts(result: Compliance | None) -> ComplianceCounts:
    if result is None:
        return ComplianceCounts(on_time=0, due=0, late=0, missed=0, pending=0, share=None)
    return ComplianceCounts(
        on_time=result.on_time,
        due=result.due,
        late=result.late,
        missed=result.missed,
        pending=result.pending,
        share=result.share,
    )


def matching(*, session: Session, q: str = "", active: bool | None = None) -> list[MaintenancePlan]:
    """Plans by name whose name, asset or asset type contains ``q`` (any case)."""
    plans = service.list_plans(session=session, active=active)
    text = q.strip().lower()
    if not text:
        return plans
    return [
        p
        for p in plans
        if text in p.name.lower()
        or (p.asset is not None and text in f"{p.asset.site}/{p.asset.asset}".lower())
        or (p.asset_type is not None and text in p.asset_type.lower())
    ]


def overview(
    *,
    session: Session,
    now: datetime,
    days: int = 365,
    plans: list[MaintenancePlan] | None = None,
) -> list[PlanOverview]:
    """Every plan by name (or those given); PM compliance over the ``days`` before ``now``,
    judged at ``now``."""
    if not 1 <= days <= 3660:
        raise InvalidInput("days must be between 1 and 3660")
    if plans is None:
        plans = service.list_plans(session=session)
    wanted = {p.id for p in plans}
    upcoming: dict[int, list[UpcomingRead]] = {}
    for row in service.upcoming(session=session):
        if row.plan_id in wanted:
            upcoming.setdefault(row.plan_id, []).append(row)
    last = _last_occurrences(session)
    compliance = by_plan(session, now - timedelta(days=days), now, as_of=now)
    out: list[PlanOverview] = []
    for plan in plans:
        rows = upcoming.get(plan.id, [])
        soonest = _soonest(plan.trigger, rows)
        out.append(
            PlanOverview(
                plan=service.plan_read(session=session, plan=plan),
                asset=f"{plan.asset.site}/{plan.asset.asset}" if plan.asset else None,
                assets=len(rows),
                next_due=soonest,
                hours_to_go=_hours_to_go(soonest) if soonest is not None else None,
                waiting=sum(1 for r in rows if r.waiting_for is not None),
                last_occurrence=last.get(plan.id),
                compliance=_counts(compliance.get(plan.id)),
            )
        )
    return out
