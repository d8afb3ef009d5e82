"""PM compliance: the preventive maintenance occurrences (``planning``) due in the period, done
on time. Which occurrences count and how each is judged is planning's definition
(:func:`planning.compliance.judge`); this module only groups them for a breakdown."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from planning.compliance import Row, judge
from planning.models import MaintenancePlan, Occurrence, OccurrenceStatus
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.family import Family, Partial, Partials
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx, scoped
from workorders.models import WorkOrder


def _pm(ctx: Ctx, dimension: Dimension | None) -> Partials:
    fell_due = sa.func.coalesce(Occurrence.due_at, Occurrence.done_at)
    stmt = (
        sa.select()
        .select_from(Occurrence)
        .join(MaintenancePlan, MaintenancePlan.id == Occurrence.plan_id)
        .where(
            ctx.within(fell_due),
            Occurrence.status != OccurrenceStatus.CANCELLED,
        )
    )
    stmt, key = scoped(
        ctx,
        stmt,
        dimension=dimension,
        asset_id=Occurrence.asset_id,
        join_wo=lambda q: q.outerjoin(WorkOrder, WorkOrder.id == Occurrence.work_order_id),
    )
    groups: dict[str, list[Row]] = defaultdict(list)
    for k, status, due, done_at, grace in ctx.session.execute(
        stmt.add_columns(
            key,
            Occurrence.status,
            Occurrence.due_at,
            Occurrence.done_at,
            MaintenancePlan.grace_days,
        )
    ):
        groups[k].append((status, due, done_at, grace))
    return {k: {"rows": rows} for k, rows in groups.items()}


def _pm_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    # Judged when the period ends (or now, within it): a month's figure stays as it was.
    c = judge(p["rows"], judged=ctx.cut)
    return {
        "pm_compliance": D["pm_compliance"].kpi(
            c.share,
            numerator=c.on_time,
            denominator=c.due,
            detail={"late": c.late, "missed": c.missed, "pending": c.pending},
        )
    }


pm = Family(_pm, _pm_kpis, ("pm_compliance",))
