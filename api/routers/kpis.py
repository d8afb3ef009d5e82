"""Service KPIs on a period (month, quarter, days), broken down and filtered; and their trend.

Definitions: docs/reports.md (each figure also carries its own)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from api.deps import CurrentKey, ReadSessionDep
from reports.kpis import (
    BY_KEY,
    BadPage,
    BadPeriod,
    Dimension,
    Filters,
    KpiReport,
    Page,
    Period,
    compute,
    month_period,
    parse_period,
    period_from,
    trend,
)

router = APIRouter(prefix="/kpis", tags=["KPIs"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Bad period, range, breakdown or page of groups (the message says what "
        "is accepted)"
    },
}
# A breakdown by site has one group per site (1,250 in the benchmark's fleet, ~4 KB each).
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
Name = Annotated[str | None, Query(min_length=1, max_length=200)]


class KpiRead(BaseModel):
    key: str
    name: str
    unit: str = Field(description="share, hours, score, points, count or currency")
    value: float | None = Field(description="None when there was nothing to compute it on")
    numerator: int | None
    denominator: int | None
    grade: str | None = Field(description="excellent, acceptable or to_improve")
    definition: str | None = Field(
        default=None, description="The KPI's definition (on the totals; groups leave it out)"
    )
    detail: dict[str, float]


class PeriodRead(BaseModel):
    label: str
    kind: str
    start: datetime
    end: datetime


class GroupRead(BaseModel):
    key: str
    kpis: dict[str, KpiRead]


class KpiReportRead(BaseModel):
    period: PeriodRead
    breakdown: Dimension | None
    filters: dict[str, str]
    kpis: dict[str, KpiRead] = Field(description="The whole scope's (every group's) figures")
    total_groups: int = Field(description="Groups of the breakdown in all (0 without one)")
    sort: str = Field(description="The groups' order, as asked")
    limit: int
    offset: int
    next_offset: int | None = Field(
        description="The offset of the next page of groups; None on the last page"
    )
    groups: list[GroupRead] = Field(description="This page's groups")


class MonthRead(BaseModel):
    period: PeriodRead
    kpis: dict[str, KpiRead]


class TrendRead(BaseModel):
    filters: dict[str, str]
    months: list[MonthRead]


def _filters(
    region: str | None,
    site: str | None,
    customer: str | None,
    engineer: str | None,
    asset_type: str | None,
    fault_code: str | None,
) -> Filters:
    return Filters(region, site, customer, engineer, asset_type, fault_code)


def _period(make: Any, **kw: Any) -> Period:
    try:
        period: Period = make(**kw)
    except BadPeriod as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    return period


@router.get(
    "",
    response_model=KpiReportRead,
    responses=_ERRORS,
    summary="Every KPI of a period, optionally broken down by one dimension",
)
def kpis(
    session: ReadSessionDep,
    key: CurrentKey,
    period: Annotated[
        str | None,
        Query(max_length=40, description="2026-11, 2026Q4 or 2026-11-03..2026-11-09"),
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="First day (with to)")] = None,
    to: Annotated[date | None, Query(description="Last day, included (with from)")] = None,
    breakdown: Dimension | None = None,
    sort: Annotated[
        str,
        Query(
            max_length=40,
            description=f"The groups' order: '{BY_KEY}' (the group's key, '(not set)' last) or a "
            "KPI's key (by its value, groups without one last, ties by key); '-' first for "
            "descending, e.g. -first_time_fix",
        ),
    ] = BY_KEY,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Groups per page")] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, description="Groups to skip: the previous page's next_offset")
    ] = 0,
    region: Name = None,
    site: Name = None,
    customer: Name = None,
    engineer: Name = None,
    asset_type: Name = None,
    fault_code: Name = None,
) -> Response:
    """Every KPI of the period for the scope the filters leave, and with ``breakdown`` one page
    of its groups (``limit`` from ``offset``, in ``sort`` order; ``total_groups`` in all).

    The JSON is written directly: a page of 1,000 sites is ~23,000 figures, which
    ``response_model`` would validate and encode again in Python; the model still documents
    the shape, and tests check the body against it."""
    if period is None and from_ is None and to is None:
        now = datetime.now(UTC)
        period = f"{now:%Y-%m}"
    chosen = _period(period_from, period=period, start=from_, end=to)
    descending = sort.startswith("-")
    try:
        report = compute(
            session=session,
            period=chosen,
            breakdown=breakdown,
            filters=_filters(region, site, customer, engineer, asset_type, fault_code),
            page=Page(
                limit=limit, offset=offset, sort=sort.removeprefix("-"), descending=descending
            ),
        )
    except BadPage as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    body = report.as_dict()
    body["period"] = PeriodRead.model_validate(body["period"]).model_dump(mode="json")
    body |= {"sort": sort, "limit": limit, "offset": offset, "next_offset": report.next_offset}
    return Response(orjson.dumps(body), media_type="application/json")


def _month(report: KpiReport) -> dict[str, Any]:
    whole = report.as_dict()
    return {"period": whole["period"], "kpis": whole["kpis"]}


@router.get(
    "/trend",
    response_model=TrendRead,
    responses=_ERRORS,
    summary="The KPIs month by month, up to and including a month",
)
def kpi_trend(
    session: ReadSessionDep,
    key: CurrentKey,
    until: Annotated[
        str | None, Query(max_length=40, description="The last month (default: this month)")
    ] = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
    region: Name = None,
    site: Name = None,
    customer: Name = None,
    engineer: Name = None,
    asset_type: Name = None,
    fault_code: Name = None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    last = (
        _period(parse_period, text=until)
        if until is not None
        else _period(month_period, year=now.year, month=now.month)
    )
    if last.start.year < 1973:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, detail="until must be 1973 or later"
        )
    filters = _filters(region, site, customer, engineer, asset_type, fault_code)
    reports = trend(session=session, until=last, months=months, filters=filters, now=now)
    return {
        "filters": {d.value: v for d, v in filters.given().items()},
        "months": [_month(r) for r in reports],
    }
