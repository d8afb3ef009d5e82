"""The KPIs read from the work orders themselves: volume, response, SLA deadlines, completion,
MTTR, first-time fix, repeat repairs, false alarms and the measured warning time.

A reopened work order starts again: reopening clears its response, visit and resolution times
and starts a new SLA clock, so its figures are those of its latest cycle, counted from the
reopening (``coalesce(reopened_at, created_at)``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from alerts.models import Alert
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.definitions import PREDICTIVE_CHANNEL
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx, exact, medians, scoped, share
from workorders.models import Kind, ResolutionCode, Status, WorkOrder

Figures = dict[str, dict[str, Kpi]]

_SERVICE_WORK = WorkOrder.kind.in_([Kind.EQUIPMENT, Kind.SERVICE])
_CONFIRMED = WorkOrder.resolution_code == ResolutionCode.CONFIRMED_FAULT
_PREDICTIVE = WorkOrder.channel == PREDICTIVE_CHANNEL


def _started() -> sa.ColumnElement[Any]:
    return sa.func.coalesce(WorkOrder.reopened_at, WorkOrder.created_at)


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _base(ctx: Ctx, dimension: Dimension | None, *columns: Any) -> tuple[sa.Select[Any], Any]:
    stmt = sa.select().select_from(WorkOrder).where(_SERVICE_WORK)
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    return stmt.add_columns(key.label("k"), *columns).group_by(key), key


def volume(ctx: Ctx, dimension: Dimension | None) -> Figures:
    out: Figures = {}
    stmt, _ = _base(ctx, dimension, sa.func.count().label("n"))
    for key, n in ctx.session.execute(stmt.where(ctx.within(WorkOrder.created_at))):
        out.setdefault(key, {})["created"] = D["created"].kpi(n)
    return out


def response(ctx: Ctx, dimension: Dimension | None) -> Figures:
    stmt = sa.select().select_from(WorkOrder).where(_SERVICE_WORK)
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    hours = ctx.hours(WorkOrder.responded_at, _started())
    rows = [
        (k, exact(h))
        for k, h in ctx.session.execute(
            stmt.add_columns(key, hours).where(ctx.within(WorkOrder.responded_at))
        )
    ]
    out: Figures = {}
    within: dict[str, int] = {}
    for k, h in rows:
        within[k] = within.get(k, 0) + (1 if h is not None and h <= 2.0 else 0)
    for k, (median, n) in medians((k, h) for k, h in rows).items():
        out[k] = {
            "response_median_h": D["response_median_h"].kpi(median, denominator=n),
            "response_within_2h": D["response_within_2h"].kpi(
                share(within[k], n), numerator=within[k], denominator=n
            ),
        }
    return out


def sla(ctx: Ctx, dimension: Dimension | None) -> Figures:
    """Each deadline counts in the period its due time falls in, once it has passed."""
    deadlines = {
        "sla_respond": (WorkOrder.respond_by, WorkOrder.responded_at, True),
        "sla_on_site": (WorkOrder.on_site_by, WorkOrder.on_site_at, True),
        "sla_resolve": (WorkOrder.resolve_by, WorkOrder.resolved_at, False),
    }
    cut = ctx.at(ctx.cut)
    columns: list[Any] = []
    conditions = []
    for name, (due, done, or_resolved) in deadlines.items():
        counted = sa.and_(due >= ctx.at(ctx.period.start), due < cut)
        met = done <= due
        if or_resolved:
            met = sa.or_(met, WorkOrder.resolved_at <= due)
        columns += [_count(counted).label(f"{name}_n"), _count(sa.and_(counted, met)).label(name)]
        conditions.append(counted)
    stmt, _ = _base(ctx, dimension, *columns)
    stmt = stmt.where(WorkOrder.status != Status.CANCELLED, sa.or_(*conditions))
    out: Figures = {}
    for row in ctx.session.execute(stmt).mappings():
        out[row["k"]] = {
            name: D[name].kpi(
                share(row[name], row[f"{name}_n"]),
                numerator=int(row[name]),
                denominator=int(row[f"{name}_n"]),
            )
            for name in deadlines
        }
    return out


def resolutions(ctx: Ctx, dimension: Dimension | None) -> Figures:
    """Everything counted over the work orders resolved in the period."""
    coded_predictive = sa.and_(_PREDICTIVE, WorkOrder.resolution_code.is_not(None))
    repair_h = ctx.hours(WorkOrder.resolved_at, _started())
    stmt, _ = _base(
        ctx,
        dimension,
        sa.func.count().label("resolved"),
        _count(WorkOrder.resolved_at <= WorkOrder.resolve_by).label("on_time"),
        _count(_CONFIRMED).label("confirmed"),
        _count(sa.and_(_CONFIRMED, WorkOrder.visits <= 1, WorkOrder.repeat_count == 0)).label(
            "ftf"
        ),
        _count(sa.and_(_CONFIRMED, WorkOrder.repeat_count > 0)).label("repeat"),
        _count(coded_predictive).label("predictive"),
        _count(sa.and_(_PREDICTIVE, WorkOrder.resolution_code == ResolutionCode.FALSE_ALARM)).label(
            "false_alarm"
        ),
        sa.func.avg(sa.case((_CONFIRMED, repair_h))).label("mttr"),
    )
    out: Figures = {}
    for r in ctx.session.execute(stmt.where(ctx.within(WorkOrder.resolved_at))).mappings():
        resolved, confirmed = int(r["resolved"]), int(r["confirmed"])
        out[r["k"]] = {
            "resolved": D["resolved"].kpi(resolved),
            "on_time_completion": D["on_time_completion"].kpi(
                share(int(r["on_time"]), resolved),
                numerator=int(r["on_time"]),
                denominator=resolved,
            ),
            "mttr_h": D["mttr_h"].kpi(exact(r["mttr"]), denominator=confirmed),
            "first_time_fix": D["first_time_fix"].kpi(
                share(int(r["ftf"]), confirmed), numerator=int(r["ftf"]), denominator=confirmed
            ),
            "repeat_repair": D["repeat_repair"].kpi(
                share(int(r["repeat"]), confirmed),
                numerator=int(r["repeat"]),
                denominator=confirmed,
            ),
            "false_alarm": D["false_alarm"].kpi(
                share(int(r["false_alarm"]), int(r["predictive"])),
                numerator=int(r["false_alarm"]),
                denominator=int(r["predictive"]),
            ),
        }
    return out


def warning_time(ctx: Ctx, dimension: Dimension | None) -> Figures:
    """First alert of the work's current cycle to the repair, for caught faults."""
    fired = sa.func.coalesce(Alert.firing_at, Alert.started_at)
    # A reopened work order's cycle starts at its reopening (or at the detection that reopened
    # it); its earlier alerts warned about the earlier failure.
    detected = sa.case(
        (WorkOrder.reopened_at.is_(None), WorkOrder.detected_at),
        else_=ctx.latest(WorkOrder.detected_at, WorkOrder.reopened_at),
    )
    first_alert = (
        sa.select(sa.func.min(fired))
        .where(
            Alert.work_order_id == WorkOrder.id,
            sa.or_(WorkOrder.reopened_at.is_(None), fired >= WorkOrder.reopened_at),
        )
        .correlate(WorkOrder)
        .scalar_subquery()
    )
    warned_from = ctx.earliest(sa.func.coalesce(first_alert, detected), detected)
    repaired = sa.func.coalesce(WorkOrder.on_site_at, WorkOrder.resolved_at)
    stmt = sa.select().select_from(WorkOrder).where(_SERVICE_WORK)
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    rows = ctx.session.execute(
        stmt.add_columns(key, ctx.hours(repaired, warned_from)).where(
            ctx.within(WorkOrder.resolved_at), _PREDICTIVE, _CONFIRMED
        )
    ).all()
    return {
        k: {"warning_time_median_h": D["warning_time_median_h"].kpi(median, denominator=n)}
        for k, (median, n) in medians((k, h) for k, h in rows).items()
    }
