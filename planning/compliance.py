"""PM compliance: the share of preventive occurrences done on time, for the KPIs and reports.

An occurrence counts in a period when it fell due in it (``due_at`` in ``[start, end)``; a
running-hours occurrence done before its counter value was reached counts at its completion).
It is **on time** when its work was done by ``due_at`` plus the plan's grace days. The
denominator holds the occurrences that are decided by ``as_of``: done, missed (skipped by a
catch-up or its work order cancelled), or still open with their grace passed. Open ones still
within their grace are reported apart (``pending``), in neither count. Occurrences of a plan
deactivated before they were done (``cancelled``) are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import InvalidInput
from customers.models import Asset, Site
from planning.models import MaintenancePlan, Occurrence, OccurrenceStatus


@dataclass(frozen=True, slots=True)
class Compliance:
    on_time: int  # the numerator
    due: int  # the denominator
    late: int  # done, after the grace
    missed: int  # not done: skipped, cancelled work, or open past the grace
    pending: int  # open and still within the grace: not counted yet

    @property
    def numerator(self) -> int:
        return self.on_time

    @property
    def denominator(self) -> int:
        return self.due

    @property
    def share(self) -> float | None:
        """``on_time / due``; None when nothing fell due."""
        return self.on_time / self.due if self.due else None


def pm_compliance(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    as_of: datetime | None = None,
    plan_id: int | None = None,
    asset_ids: list[int] | None = None,
    asset_type: str | None = None,
    site_id: int | None = None,
    customer_id: int | None = None,
) -> Compliance:
    """PM compliance over occurrences due in ``[start, end)``, judged at ``as_of`` (default
    ``end``). Filters narrow it to a plan, assets, an asset type, a site or a customer."""
    if start.tzinfo is None or end.tzinfo is None or (as_of is not None and as_of.tzinfo is None):
        raise InvalidInput("start, end and as_of must carry their UTC offset")
    try:
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        judged = (as_of or end).astimezone(UTC)
    except OverflowError:
        raise InvalidInput("start, end or as_of is out of the supported range") from None
    if end <= start:
        raise InvalidInput("end must be after start")
    due_at = sa.func.coalesce(Occurrence.due_at, Occurrence.done_at)
    query = (
        sa.select(
            Occurrence.status, Occurrence.due_at, Occurrence.done_at, MaintenancePlan.grace_days
        )
        .join(MaintenancePlan, MaintenancePlan.id == Occurrence.plan_id)
        .join(Asset, Asset.id == Occurrence.asset_id)
        .where(
            due_at >= start,
            due_at < end,
            Occurrence.status != OccurrenceStatus.CANCELLED,
        )
    )
    if plan_id is not None:
        query = query.where(Occurrence.plan_id == plan_id)
    if asset_ids is not None:
        query = query.where(Occurrence.asset_id.in_(asset_ids))
    if asset_type is not None:
        query = query.where(Asset.asset_type == asset_type)
    if site_id is not None:
        query = query.where(Asset.site_id == site_id)
    if customer_id is not None:
        query = query.where(
            Asset.site_id.in_(sa.select(Site.id).where(Site.customer_id == customer_id))
        )
    return judge(session.execute(query).all(), judged=judged)


Row = tuple[OccurrenceStatus, datetime | None, datetime | None, int]


def by_plan(
    session: Session, start: datetime, end: datetime, *, as_of: datetime
) -> dict[int, Compliance]:
    """PM compliance of every plan with an occurrence due in ``[start, end)``, in one query (the
    plans page shows it for each plan)."""
    due_at = sa.func.coalesce(Occurrence.due_at, Occurrence.done_at)
    query = (
        sa.select(
            Occurrence.plan_id,
            Occurrence.status,
            Occurrence.due_at,
            Occurrence.done_at,
            MaintenancePlan.grace_days,
        )
        .join(MaintenancePlan, MaintenancePlan.id == Occurrence.plan_id)
        .where(due_at >= start, due_at < end, Occurrence.status != OccurrenceStatus.CANCELLED)
    )
    rows: dict[int, list[Row]] = {}
    for plan_id, status, due, done_at, grace in session.execute(query):
        rows.setdefault(plan_id, []).append((status, due, done_at, grace))
    return {plan_id: judge(group, judged=as_of) for plan_id, group in rows.items()}


def judge(rows: Iterable[Row], *, judged: datetime) -> Compliance:
    """The compliance of occurrences given as ``(status, due_at, done_at, grace_days)``, each
    counted in the period its due time (or, without one, its completion) fell in. The KPIs
    (``reports.kpis``) judge each group of a breakdown with it."""
    on_time = late = missed = pending = 0
    for status, due, done_at, grace_days in rows:
        fell_due = due or done_at
        assert fell_due is not None  # the query's condition
        deadline = fell_due + timedelta(days=grace_days)
        if status is OccurrenceStatus.DONE and done_at is not None and done_at <= judged:
            if done_at <= deadline:
                on_time += 1
            else:
                late += 1
        elif status is OccurrenceStatus.MISSED or deadline < judged:
            missed += 1
        else:
            pending += 1
    return Compliance(
        on_time=on_time, due=on_time + late + missed, late=late, missed=missed, pending=pending
    )
