"""The KPIs read from the work orders themselves: volume, response, SLA deadlines, completion,
MTTR, first-time fix, repeat repairs, false alarms and the measured warning time.

A reopened work order starts again: reopening clears its response, visit and resolution times
and starts a new SLA clock, so its figures are those of its latest cycle, counted from the
reopening (``coalesce(reopened_at, created_at)``).
"""

from __future__ import annotations

import statistics
from typing import Any

import sqlalchemy as sa

from alerts.models import Alert
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.definitions import PREDICTIVE_CHANNEL
from reports.kpis.family import Family, Partial, Partials
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import Ctx, exact, scoped, share
from workorders.models import Kind, ResolutionCode, Status, WorkOrder

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


def _volume(ctx: Ctx, dimension: Dimension | None) -> Partials:
    stmt, _ = _base(ctx, dimension, sa.func.count().label("n"))
    return {
        k: {"n": n} for k, n in ctx.session.execute(stmt.where(ctx.within(WorkOrder.created_at)))
    }


def _volume_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    return {"created": D["created"].kpi(p["n"])}


def _median(hours: list[float]) -> tuple[float, int] | None:
    return (statistics.median(hours), len(hours)) if hours else None


def _response(ctx: Ctx, dimension: Dimension | None) -> Partials:
    stmt = sa.select().select_from(WorkOrder).where(_SERVICE_WORK)
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    hours = ctx.hours(WorkOrder.responded_at, _started())
    out: Partials = {}
    for k, h in ctx.session.execute(
        stmt.add_columns(key, hours).where(ctx.within(WorkOrder.responded_at))
    ):
        if h is not None:
            out.setdefault(k, {"hours": []})["hours"].append(exact(h))
    return out


def _response_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    hours: list[float] = p["hours"]
    found = _median(hours)
    if found is None:
        return {}
    median, n = found
    within = sum(1 for h in hours if h <= 2.0)
    return {
        "response_median_h": D["response_median_h"].kpi(median, denominator=n),
        "response_within_2h": D["response_within_2h"].kpi(
            share(within, n), numerator=within, denominator=n
        ),
    }


_DEADLINES = {
    "sla_respond": (WorkOrder.respond_by, WorkOrder.responded_at, True),
    "sla_on_site": (WorkOrder.on_site_by, WorkOrder.on_site_at, True),
    "sla_resolve": (WorkOrder.resolve_by, WorkOrder.resolved_at, False),
}


def _sla(ctx: Ctx, dimension: Dimension | None) -> Partials:
    """Each deadline counts in the period its due time falls in, once it has passed."""
    cut = ctx.at(ctx.cut)
    columns: list[Any] = []
    conditions = []
    for name, (due, done, or_resolved) in _DEADLINES.items():
        counted = sa.and_(due >= ctx.at(ctx.period.start), due < cut)
        met = done <= due
        if or_resolved:
            met = sa.or_(met, WorkOrder.resolved_at <= due)
        columns += [_count(counted).label(f"{name}_n"), _count(sa.and_(counted, met)).label(name)]
        conditions.append(counted)
    stmt, _ = _base(ctx, dimension, *columns)
    stmt = stmt.where(WorkOrder.status != Status.CANCELLED, sa.or_(*conditions))
    return {
        row["k"]: {name: int(row[name]) for name in row if name != "k"}
        for row in ctx.session.execute(stmt).mappings()
    }


def _sla_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    return {
        name: D[name].kpi(
            share(p[name], p[f"{name}_n"]), numerator=p[name], denominator=p[f"{name}_n"]
        )
        for name in _DEADLINES
    }


def _resolutions(ctx: Ctx, dimension: Dimension | None) -> Partials:
    """Everything counted over the work orders resolved in the period."""
    coded_predictive = sa.and_(_PREDICTIVE, WorkOrder.resolution_code.is_not(None))
    repair_h = sa.case((_CONFIRMED, ctx.hours(WorkOrder.resolved_at, _started())))
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
        # The mean as its sum and count, which add up over the groups.
        sa.func.coalesce(sa.func.sum(repair_h), 0.0).label("repair_h"),
        sa.func.count(repair_h).label("repairs"),
    )
    return {
        r["k"]: {
            name: float(r[name]) if name == "repair_h" else int(r[name])
            for name in r
            if name != "k"
        }
        for r in ctx.session.execute(stmt.where(ctx.within(WorkOrder.resolved_at))).mappings()
    }


def _resolutions_kpis(ctx: Ctx, r: Partial) -> dict[str, Kpi]:
    resolved, confirmed = r["resolved"], r["confirmed"]
    mttr = exact(r["repair_h"] / r["repairs"]) if r["repairs"] else None
    return {
        "resolved": D["resolved"].kpi(resolved),
        "on_time_completion": D["on_time_completion"].kpi(
            share(r["on_time"], resolved), numerator=r["on_time"], denominator=resolved
        ),
        "mttr_h": D["mttr_h"].kpi(mttr, denominator=confirmed),
        "first_time_fix": D["first_time_fix"].kpi(
            share(r["ftf"], confirmed), numerator=r["ftf"], denominator=confirmed
        ),
        "repeat_repair": D["repeat_repair"].kpi(
            share(r["repeat"], confirmed), numerator=r["repeat"], denominator=confirmed
        ),
        "false_alarm": D["false_alarm"].kpi(
            share(r["false_alarm"], r["predictive"]),
            numerator=r["false_alarm"],
            denominator=r["predictive"],
        ),
    }


def _warning_time(ctx: Ctx, dimension: Dimension | None) -> Partials:
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
    out: Partials = {}
    for k, h in ctx.session.execute(
        stmt.add_columns(key, ctx.hours(repaired, warned_from)).where(
            ctx.within(WorkOrder.resolved_at), _PREDICTIVE, _CONFIRMED
        )
    ):
        if h is not None:
            out.setdefault(k, {"hours": []})["hours"].append(exact(h))
    return out


def _warning_time_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    found = _median(p["hours"])
    if found is None:
        return {}
    median, n = found
    return {"warning_time_median_h": D["warning_time_median_h"].kpi(median, denominator=n)}


volume = Family(_volume, _volume_kpis, ("created",))
response = Family(_response, _response_kpis, ("response_median_h", "response_within_2h"))
sla = Family(_sla, _sla_kpis, tuple(_DEADLINES))
resolutions = Family(
    _resolutions,
    _resolutions_kpis,
    (
        "resolved",
        "on_time_completion",
        "mttr_h",
        "first_time_fix",
        "repeat_repair",
        "false_alarm",
    ),
)
warning_time = Family(_warning_time, _warning_time_kpis, ("warning_time_median_h",))
