"""The SQL every KPI query shares: the period's context, time arithmetic on both databases, and
the breakdown dimension and filters joined onto a query's subject.

Each KPI family selects from its subject (work orders, surveys, follow-up tasks, requests, stock
moves, assets); :func:`scoped` joins the asset and its site when a filter or the breakdown needs
them, adds the filters and returns the group column of the breakdown. Figures are aggregated by the database; only the
values a median needs come back as plain numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.db import UtcDateTime
from customers.models import Asset, Site
from reports.kpis.period import Period
from reports.kpis.results import NOT_SET, Dimension, Filters
from workorders.models import WorkOrder

TOTAL = ""  # the group key of the whole scope (no breakdown)


@dataclass(frozen=True, slots=True)
class Ctx:
    session: Session
    period: Period
    filters: Filters
    now: datetime

    @property
    def sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    @property
    def cut(self) -> datetime:
        """The end of what has happened: the period's end, or now within the current period."""
        return min(self.period.end, max(self.now, self.period.start))

    def at(self, value: datetime) -> sa.ColumnElement[datetime]:
        return sa.literal(value, UtcDateTime())

    def within(self, column: Any) -> sa.ColumnElement[bool]:
        return sa.and_(column >= self.at(self.period.start), column < self.at(self.period.end))

    def hours(self, later: Any, earlier: Any) -> sa.ColumnElement[Any]:
        """``later - earlier`` in hours, computed by the database."""
        if self.sqlite:
            seconds: Any = (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
        else:
            seconds = sa.extract("epoch", later - earlier)
        return sa.cast(seconds, sa.Float) / 3600.0

    def latest(self, *values: Any) -> sa.ColumnElement[Any]:
        return sa.func.max(*values) if self.sqlite else sa.func.greatest(*values)

    def earliest(self, *values: Any) -> sa.ColumnElement[Any]:
        return sa.func.min(*values) if self.sqlite else sa.func.least(*values)


def dimension_column(
    dimension: Dimension, *, asset: Any = Asset, site: Any = Site, wo: Any = WorkOrder
) -> Any | None:
    """The column a dimension reads; None when the subject has no work order to read it from."""
    if dimension is Dimension.REGION:
        return site.region
    if dimension is Dimension.SITE:
        return asset.site
    if dimension is Dimension.CUSTOMER:
        return asset.customer
    if dimension is Dimension.ASSET_TYPE:
        return asset.asset_type
    if wo is None:
        return None
    return wo.assignee if dimension is Dimension.ENGINEER else wo.fault_code


class NotApplicable(Exception):
    """The subject cannot be split or filtered by this dimension (e.g. asset time by engineer)."""


_ASSET_DIMENSIONS = {Dimension.REGION, Dimension.SITE, Dimension.CUSTOMER, Dimension.ASSET_TYPE}


def scoped(
    ctx: Ctx,
    stmt: sa.Select[Any],
    *,
    dimension: Dimension | None,
    asset_id: Any = None,
    wo: Any = WorkOrder,
    join_wo: Callable[[sa.Select[Any]], sa.Select[Any]] | None = None,
) -> tuple[sa.Select[Any], sa.ColumnElement[str]]:
    """``stmt`` narrowed by the filters, and the group key column (``TOTAL`` without breakdown).

    The asset (``Asset.id == asset_id``) and its site are joined only when a filter or the
    breakdown reads them: the fleet-wide figures touch only the subject's own table. With
    ``asset_id`` None the subject is the asset itself. ``wo`` None: the subject has no work
    order, so it cannot be split or filtered by engineer or fault code (:class:`NotApplicable`).
    ``join_wo`` joins the work order to a subject that has one, when an engineer or fault-code
    filter or breakdown reads it, or when ``asset_id`` is the work order's.
    """
    used = set(ctx.filters.given()) | ({dimension} if dimension else set())
    needs_asset = bool(used & _ASSET_DIMENSIONS) and asset_id is not None
    if join_wo is not None and (
        used & {Dimension.ENGINEER, Dimension.FAULT_CODE}
        or (needs_asset and asset_id is WorkOrder.asset_id)
    ):
        stmt = join_wo(stmt)
    if needs_asset:
        stmt = stmt.join(Asset, Asset.id == asset_id)
    if Dimension.REGION in used:
        stmt = stmt.outerjoin(Site, Site.id == Asset.site_id)
    for d, value in ctx.filters.given().items():
        column = dimension_column(d, wo=wo)
        if column is None:
            raise NotApplicable(d.value)
        stmt = stmt.where(column == value)
    if dimension is None:
        return stmt, sa.literal(TOTAL, sa.String())
    column = dimension_column(dimension, wo=wo)
    if column is None:
        raise NotApplicable(dimension.value)
    return stmt, sa.func.coalesce(column, NOT_SET)


# Hours are rounded to this many decimals (0.0036 s): SQLite's julianday arithmetic is exact
# to the millisecond only, and 2 h must read as 2 h on both databases.
HOURS_DECIMALS = 6


def exact(hours: float | None) -> float | None:
    return None if hours is None else round(float(hours), HOURS_DECIMALS)


def share(hits: int | None, total: int | None) -> float | None:
    return hits / total if hits is not None and total else None
