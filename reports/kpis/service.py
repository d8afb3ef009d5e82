"""Every KPI of a period, for the whole scope and per group of a breakdown dimension."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from reports.kpis import customer, fleet, preventive, work
from reports.kpis.definitions import KEYS, empty
from reports.kpis.family import Family, Partial, Partials, merge
from reports.kpis.period import Period, month_period
from reports.kpis.results import (
    BY_KEY,
    NOT_SET,
    BadPage,
    Dimension,
    Filters,
    Group,
    Kpi,
    KpiReport,
    Page,
)
from reports.kpis.scope import TOTAL, Ctx, NotApplicable

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
_OWNER = {key: family for family in FAMILIES for key in family.keys}


def _fetch(ctx: Ctx, family: Family, dimension: Dimension | None) -> Partials:
    try:
        return family.fetch(ctx, dimension)
    except NotApplicable:
        return {}  # e.g. asset time filtered by engineer: those figures stay empty


def _read(ctx: Ctx, family: Family, breakdown: Dimension | None) -> tuple[Partial | None, Partials]:
    """One family's partial of the whole scope and by group: one pass over its records (the
    whole is the groups' merge) unless its groups do not add up to the whole."""
    if breakdown is None:
        return _fetch(ctx, family, None).get(TOTAL), {}
    groups = _fetch(ctx, family, breakdown)
    if breakdown in family.shared:
        return _fetch(ctx, family, None).get(TOTAL), groups
    return (merge(groups.values()) if groups else None), groups


def _kpis(ctx: Ctx, read: list[tuple[Family, Partial | None]]) -> dict[str, Kpi]:
    """Every KPI of one scope, an empty figure where there was nothing to compute it on."""
    found: dict[str, Kpi] = {}
    for family, partial in read:
        if partial is not None:
            found.update(family.finish(ctx, partial))
    return {key: found.get(key) or empty(key) for key in KEYS}


def _ordered(ctx: Ctx, keys: set[str], by_family: dict[Family, Partials], page: Page) -> list[str]:
    named = sorted(k for k in keys if k != NOT_SET)
    unset = [NOT_SET] if NOT_SET in keys else []
    if page.sort == BY_KEY:
        return (named[::-1] if page.descending else named) + unset
    # By a KPI's value, groups without one last, ties by key; only the sorting KPI's family
    # is finished for every group.
    family = _OWNER[page.sort]
    partials = by_family[family]
    by_key = named + unset
    values: dict[str, float | None] = {}
    for k in by_key:
        partial = partials.get(k)
        kpi = family.finish(ctx, partial).get(page.sort) if partial is not None else None
        values[k] = (kpi or empty(page.sort)).value
    sign = -1.0 if page.descending else 1.0
    position = {k: i for i, k in enumerate(by_key)}
    return sorted(by_key, key=lambda k: (values[k] is None, sign * (values[k] or 0.0), position[k]))


def compute(
    *,
    session: Session,
    period: Period,
    breakdown: Dimension | None = None,
    filters: Filters | None = None,
    now: datetime | None = None,
    page: Page | None = None,
) -> KpiReport:
    """Every KPI of ``period`` for the records ``filters`` leave, and per group of ``breakdown``:
    the groups of ``page`` (default: all, by key). Only the page's groups are made into figures.

    ``now`` (default: the clock) ends what has happened: deadlines not yet passed and time
    not yet lived are not counted. A ``page`` sorting by anything but a KPI's key or
    :data:`~reports.kpis.results.BY_KEY` raises :class:`BadPage`.
    """
    page = page or Page()
    if page.sort != BY_KEY and page.sort not in _OWNER:
        raise BadPage(
            f"sort must be '{BY_KEY}' or a KPI's key ({', '.join(KEYS)}), not {page.sort!r}"
        )
    ctx = Ctx(session, period, filters or Filters(), now or datetime.now(UTC))
    read = {family: _read(ctx, family, breakdown) for family in FAMILIES}
    total = _kpis(ctx, [(family, whole) for family, (whole, _) in read.items()])
    by_family = {family: groups for family, (_, groups) in read.items()}
    keys = {k for groups in by_family.values() for k in groups}
    ordered = _ordered(ctx, keys, by_family, page)
    end = None if page.limit is None else page.offset + page.limit
    groups = [
        Group(k, _kpis(ctx, [(f, partials.get(k)) for f, partials in by_family.items()]))
        for k in ordered[page.offset : end]
    ]
    return KpiReport(period, breakdown, ctx.filters, total, groups, len(keys), page)


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
