"""The KPIs of the assets' time: availability and MTBF.

An asset is in service from when it was first seen. It is down for a confirmed fault from the
report of the breakdown (work not raised by an alert) or, for a fault an alert caught before it
failed, from the engineer on site (a planned stop), until resolution. Neither figure splits by
engineer; split by fault code, every group shares the fleet's time in service.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from customers.models import Asset
from reports.kpis.definitions import DEFINITIONS as D
from reports.kpis.definitions import PREDICTIVE_CHANNEL
from reports.kpis.family import Family, Partial, Partials
from reports.kpis.results import Dimension, Kpi
from reports.kpis.scope import TOTAL, Ctx, exact, scoped
from workorders.models import Kind, ResolutionCode, WorkOrder


def _service_hours(ctx: Ctx, dimension: Dimension | None) -> dict[str, float]:
    # Asset time has no fault code: a fault-code filter or breakdown leaves it whole.
    plain = dataclasses.replace(ctx, filters=dataclasses.replace(ctx.filters, fault_code=None))
    cut, start = ctx.at(ctx.cut), ctx.at(ctx.period.start)
    # Most assets were in service before the period: they count its whole length, which is
    # counted here rather than by the database's date arithmetic on each of them.
    whole_h = (ctx.cut - ctx.period.start).total_seconds() / 3600.0
    before = Asset.first_seen_at <= start
    stmt = sa.select().select_from(Asset)
    stmt, key = scoped(plain, stmt, dimension=dimension, wo=None)
    stmt = (
        stmt.add_columns(
            key,
            sa.func.sum(sa.case((before, 1), else_=0)),
            sa.func.sum(sa.case((before, 0.0), else_=ctx.hours(cut, Asset.first_seen_at))),
        )
        .where(Asset.first_seen_at < cut)
        .group_by(key)
    )
    return {
        k: exact(int(n or 0) * whole_h + float(h or 0.0)) or 0.0
        for k, n, h in plain.session.execute(stmt)
    }


def _faults(ctx: Ctx, dimension: Dimension | None) -> dict[str, tuple[float, int]]:
    """Per group: hours down within the period, and the failures whose work started in it."""
    start, cut = ctx.at(ctx.period.start), ctx.at(ctx.cut)
    began = sa.func.coalesce(WorkOrder.reopened_at, WorkOrder.created_at)
    down_from = sa.case(
        (
            WorkOrder.channel == PREDICTIVE_CHANNEL,
            sa.func.coalesce(WorkOrder.on_site_at, WorkOrder.resolved_at),
        ),
        else_=began,
    )
    down_to = sa.func.coalesce(WorkOrder.resolved_at, cut)
    overlaps = sa.and_(down_from < cut, down_to > start)
    down_h = sa.case(
        (overlaps, ctx.hours(ctx.earliest(down_to, cut), ctx.latest(down_from, start))),
        else_=0.0,
    )
    failed = sa.and_(began >= start, began < cut)
    stmt = (
        sa.select()
        .select_from(WorkOrder)
        .where(
            WorkOrder.kind == Kind.EQUIPMENT,
            WorkOrder.resolution_code == ResolutionCode.CONFIRMED_FAULT,
            sa.or_(overlaps, failed),
            # Implied by both (a confirmed fault is resolved, after its work began); indexed.
            WorkOrder.resolved_at >= start,
            WorkOrder.created_at < cut,
        )
    )
    stmt, key = scoped(ctx, stmt, dimension=dimension, asset_id=WorkOrder.asset_id)
    stmt = stmt.add_columns(
        key, sa.func.sum(down_h), sa.func.sum(sa.case((failed, 1), else_=0))
    ).group_by(key)
    return {k: (exact(h) or 0.0, int(n or 0)) for k, h, n in ctx.session.execute(stmt)}


def _assets(ctx: Ctx, dimension: Dimension | None) -> Partials:
    """Hours in service and down, and failures, by group; by fault code every group has the
    whole fleet's hours in service (asset time has no fault code)."""
    by_fault = dimension is Dimension.FAULT_CODE
    service = _service_hours(ctx, None if by_fault else dimension)
    faults = _faults(ctx, dimension)
    out: Partials = {}
    for k in set(faults) if by_fault else set(service) | set(faults):
        down_h, failures = faults.get(k, (0.0, 0))
        service_h = service.get(TOTAL if by_fault else k, 0.0)
        out[k] = {"service_h": service_h, "down_h": down_h, "failures": failures}
    return out


def _assets_kpis(ctx: Ctx, p: Partial) -> dict[str, Kpi]:
    service_h, down_h, failures = p["service_h"], p["down_h"], p["failures"]
    up_h = max(service_h - down_h, 0.0)
    detail = {"service_h": round(service_h, 3), "down_h": round(down_h, 3)}
    return {
        "availability": D["availability"].kpi(
            up_h / service_h if service_h > 0 else None, detail=detail
        ),
        "mtbf_h": D["mtbf_h"].kpi(
            up_h / failures if failures else None, denominator=failures, detail=detail
        ),
    }


assets = Family(
    _assets,
    _assets_kpis,
    ("availability", "mtbf_h"),
    shared=frozenset({Dimension.ENGINEER, Dimension.FAULT_CODE}),
)
