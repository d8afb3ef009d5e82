"""Every KPI of a period, for the whole scope and per group of a breakdown dimension."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from reports.kpis import customer, fleet, preventive, work
from reports.kpis.definitions import KEYS, empty
from reports.kpis.period import Period, month_period
from reports.kpis.results import NOT_SET, Dimension, Filters, Group, Kpi, KpiReport
from reports.kpis.scope import TOTAL, Ctx, NotApplicable

Family = Callable[[Ctx, Dimension | None], dict[str, dict[str, Kpi]]]

FAMILIES: tuple[Family, ...] = (
    work.volume,
    work.response,
    work.sla,
    work.resolutions,
    work.warning_time,
    fleet.assets,
    customer.followups,
    customer.surveys,
    customer.complaints,
    customer.parts,
    preventive.pm,
)


def _figures(ctx: Ctx, dimension: Dimension | None) -> dict[str, dict[str, Kpi]]:
    merged: dict[str, dict[str, Kpi]] = {}
    for family in FAMILIES:
        try:
            found = family(ctx, dimension)
        except NotApplicable:
            continue  # e.g. asset time filtered by engineer: those figures stay None
        for key, kpis in found.items():
            merged.setdefault(key, {}).update(kpis)
    return merged


def _complete(kpis: dict[str, Kpi]) -> dict[str, Kpi]:
    return {key: kpis.get(key) or empty(key) for key in KEYS}


def compute(
    *,
    session: Session,
    period: Period,
    breakdown: Dimension | None = None,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """Every KPI of ``period`` for the records ``filters`` leave, and per group of ``breakdown``.

    ``now`` (default: the clock) ends what has happened: deadlines not yet passed and time
    not yet lived are not counted.
    """
    ctx = Ctx(session, period, filters or Filters(), now or datetime.now(UTC))
    total = _complete(_figures(ctx, None).get(TOTAL, {}))
    groups: list[Group] = []
    if breakdown is not None:
        by_group = _figures(ctx, breakdown)
        keys = sorted(by_group, key=lambda k: (k == NOT_SET, k))
        groups = [Group(key, _complete(by_group[key])) for key in keys]
    return KpiReport(period, breakdown, ctx.filters, total, groups)


def trend(
    *,
    session: Session,
    until: Period,
    months: int = 12,
    filters: Filters | None = None,
    now: datetime | None = None,
) -> list[KpiReport]:
    """The whole scope's KPIs month by month: the ``months`` months ending with ``until``'s
    last month, oldest first."""
    last = until.end - timedelta(microseconds=1)
    return [
        compute(session=session, period=p, filters=filters, now=now)
        for p in month_period(last.year, last.month).trailing(months)
    ]
