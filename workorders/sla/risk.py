"""What is at risk now: open deadlines past an escalation level, overdue ones first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.calendar import Calendar, business_seconds_between
from workorders.models import FINISHED, Priority, Status, WorkOrder
from workorders.sla.models import ClockKind, Milestone
from workorders.sla.service import FIELDS, plan_of, site_calendar

_MET = {
    ClockKind.RESPOND: "responded_at",
    ClockKind.ON_SITE: "on_site_at",
    ClockKind.RESOLVE: "resolved_at",
}


@dataclass(frozen=True, slots=True)
class AtRisk:
    work_order_id: uuid.UUID
    number: str
    priority: Priority
    status: Status
    site: str
    asset: str
    assignee: str | None
    clock: ClockKind
    deadline: datetime
    # The highest level reached (50, 75, 100) by the clock at ``now``; 0 when none yet.
    level: int
    overdue: bool
    # Business seconds left in the clock's calendar (negative once overdue).
    business_seconds_left: float
    paused_since: datetime | None
    told: list[str]


def at_risk(
    *, session: Session, now: datetime, min_level: int = 50, limit: int = 500
) -> list[AtRisk]:
    """Deadlines not met of open work whose current milestones at ``min_level`` or above are
    due, paused clocks included (they show their pause), most urgent first."""
    rows = session.execute(
        sa.select(Milestone, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Milestone.work_order_id)
        .where(
            Milestone.clock_version == WorkOrder.sla_clock_version,
            Milestone.level >= min_level,
            Milestone.due_at <= now,
            WorkOrder.status.not_in([*FINISHED, Status.RESOLVED.value]),
        )
        .order_by(Milestone.due_at)
    ).all()
    best: dict[tuple[uuid.UUID, ClockKind], tuple[Milestone, WorkOrder]] = {}
    for milestone, wo in rows:
        if getattr(wo, _MET[milestone.clock]) is not None:
            continue
        key = (wo.id, milestone.clock)
        if key not in best or milestone.level > best[key][0].level:
            best[key] = (milestone, wo)
    out = []
    for milestone, wo in best.values():
        due: datetime = getattr(wo, FIELDS[milestone.clock])
        cal = site_calendar(session=session, asset=wo.asset)
        if wo.priority.value in plan_of(session=session, wo=wo).around_the_clock:
            cal = Calendar.around_the_clock(cal.timezone)
        out.append(
            AtRisk(
                work_order_id=wo.id,
                number=wo.number,
                priority=wo.priority,
                status=wo.status,
                site=wo.asset.site,
                asset=wo.asset.asset,
                assignee=wo.assignee,
                clock=milestone.clock,
                deadline=due,
                level=milestone.level,
                overdue=due <= now,
                business_seconds_left=business_seconds_between(start=now, end=due, calendar=cal),
                paused_since=wo.sla_paused_since,
                told=list(milestone.told),
            )
        )
    out.sort(key=lambda r: (not r.overdue, -r.level, r.deadline, r.number))
    return out[:limit]
