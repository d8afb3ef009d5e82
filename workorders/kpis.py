"""The monthly service figures management reads, computed from the work orders themselves.

Definitions (for work orders of the month, UTC):

- **response time**: ``responded_at - created_at`` (first acknowledgement, dispatch or start of
  work) of the work orders that got their first response in the month; median, and the share
  answered before ``respond_by``. **On-site SLA**: share of first visits before ``on_site_by``.
- **first-time-fix rate**: of confirmed faults resolved in the month, the share fixed with at most
  one visit on site and not a repeat repair.
- **repeat-repair rate**: of confirmed faults resolved in the month, the share on work orders that
  had been reopened because the fault came back within 30 days.
- **false-alarm rate**: of work orders resolved in the month, the share resolved ``false_alarm``.
- **lead time**: for confirmed faults resolved in the month, the median of
  ``predicted_failure_at - detected_at`` where the trend gave a failure time: how much warning
  the service had.
- **CSAT**: mean customer satisfaction (1-5) of the work orders resolved in the month.

A figure without data is None, never a misleading 0.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workorders.models import ResolutionCode, WorkOrder


@dataclass(frozen=True, slots=True)
class MonthlyKpis:
    month: str
    created: int
    resolved: int
    median_response_h: float | None
    respond_sla_met: float | None
    on_site_sla_met: float | None
    first_time_fix_rate: float | None
    repeat_repair_rate: float | None
    false_alarm_rate: float | None
    median_lead_time_h: float | None
    csat: float | None
    csat_responses: int


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _median_h(deltas: list[timedelta]) -> float | None:
    return statistics.median(d.total_seconds() / 3600 for d in deltas) if deltas else None


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def monthly(*, session: Session, year: int, month: int) -> MonthlyKpis:
    start, end = month_bounds(year, month)

    def within(column: sa.orm.InstrumentedAttribute[datetime | None]) -> sa.ColumnElement[bool]:
        return sa.and_(column >= start, column < end)

    rows = list(
        session.scalars(
            sa.select(WorkOrder).where(
                sa.or_(
                    within(WorkOrder.created_at),
                    within(WorkOrder.responded_at),
                    within(WorkOrder.resolved_at),
                )
            )
        )
    )

    def inside(value: datetime | None) -> bool:
        return value is not None and start <= value < end

    responded = [w for w in rows if inside(w.responded_at)]
    visited = [w for w in rows if inside(w.on_site_at)]
    resolved = [w for w in rows if inside(w.resolved_at)]
    confirmed = [w for w in resolved if w.resolution_code is ResolutionCode.CONFIRMED_FAULT]
    rated = [w.csat for w in resolved if w.csat is not None]
    return MonthlyKpis(
        month=f"{year:04d}-{month:02d}",
        created=sum(1 for w in rows if inside(w.created_at)),
        resolved=len(resolved),
        median_response_h=_median_h(
            [w.responded_at - w.created_at for w in responded if w.responded_at]
        ),
        respond_sla_met=_share(
            sum(1 for w in responded if w.responded_at and w.responded_at <= w.respond_by),
            len(responded),
        ),
        on_site_sla_met=_share(
            sum(1 for w in visited if w.on_site_at and w.on_site_at <= w.on_site_by), len(visited)
        ),
        first_time_fix_rate=_share(
            sum(1 for w in confirmed if w.visits <= 1 and w.repeat_count == 0), len(confirmed)
        ),
        repeat_repair_rate=_share(sum(1 for w in confirmed if w.repeat_count > 0), len(confirmed)),
        false_alarm_rate=_share(
            sum(1 for w in resolved if w.resolution_code is ResolutionCode.FALSE_ALARM),
            len(resolved),
        ),
        median_lead_time_h=_median_h(
            [w.predicted_failure_at - w.detected_at for w in confirmed if w.predicted_failure_at]
        ),
        csat=statistics.fmean(rated) if rated else None,
        csat_responses=len(rated),
    )
