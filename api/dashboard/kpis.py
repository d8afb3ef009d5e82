"""The KPIs page: a period and breakdown picker, every KPI graded in colour (server-rendered, so
it reads without JavaScript), and the last 12 months drawn with uPlot from the trend API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import CurrentViewer
from api.dashboard.views import _page
from api.deps import ReadSessionDep
from api.roles import STAFF
from reports.kpis import (
    DEFINITIONS,
    BadPeriod,
    Dimension,
    Kpi,
    Period,
    compute,
    month_period,
    period_from,
    quarter_period,
)

router = APIRouter(include_in_schema=False)

# The columns of the breakdown table (every KPI is on the cards above it).
TABLE_KEYS = (
    "created",
    "resolved",
    "response_median_h",
    "sla_respond",
    "on_time_completion",
    "mttr_h",
    "first_time_fix",
    "repeat_repair",
    "false_alarm",
    "csat",
    "nps",
    "availability",
    "parts_cost",
)


def show(kpi: Kpi) -> str:
    """A figure as people read it; an em dash when there was nothing to compute it on."""
    if kpi.value is None:
        return "—"
    if kpi.unit == "share":
        return f"{kpi.value:.1%}"
    if kpi.unit == "hours":
        return f"{kpi.value:.1f} h"
    if kpi.unit == "count":
        return f"{kpi.value:,.0f}"
    if kpi.unit == "currency":
        return f"{kpi.value:,.2f}"
    if kpi.unit == "points":
        return f"{kpi.value:+.0f}"
    return f"{kpi.value:.2f}"


def counts(kpi: Kpi) -> str:
    if kpi.unit == "share" and kpi.denominator:
        return f"{kpi.numerator} of {kpi.denominator}"
    if kpi.unit in ("hours", "score", "points") and kpi.denominator:
        return f"over {kpi.denominator}"
    return ""


def _choices(today: date) -> list[tuple[str, str]]:
    months: list[Period] = month_period(today.year, today.month).trailing(24)[::-1]
    quarter = quarter_period(today.year, (today.month - 1) // 3 + 1)
    quarters = quarter.trailing(8)[::-1]
    return [(p.label, p.label) for p in months] + [(q.label, q.label) for q in quarters]


@router.get("/kpis", response_class=HTMLResponse)
def kpis_page(
    request: Request,
    session: ReadSessionDep,
    user: CurrentViewer,
    period: Annotated[str | None, Query(max_length=40)] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    to: Annotated[str | None, Query(max_length=10)] = None,
    breakdown: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    if user.role not in STAFF:
        return HTMLResponse(f"role '{user.role.value}' may not read the KPIs", status_code=403)
    today = datetime.now(UTC).date()
    error = None
    try:
        if from_ or to:
            chosen = period_from(
                start=date.fromisoformat(from_ or ""), end=date.fromisoformat(to or "")
            )
        else:
            chosen = period_from(period=period or f"{today:%Y-%m}")
    except (BadPeriod, ValueError) as problem:
        error = str(problem)
        chosen = month_period(today.year, today.month)
    dimension = None
    if breakdown:
        try:
            dimension = Dimension(breakdown)
        except ValueError:
            error = f"breakdown must be one of {', '.join(d.value for d in Dimension)}"
    report = compute(session=session, period=chosen, breakdown=dimension)
    return _page(
        request,
        "kpis.html",
        user=user,
        nav="kpis",
        report=report,
        error=error,
        choices=_choices(today),
        dimensions=list(Dimension),
        definitions=DEFINITIONS,
        table_keys=TABLE_KEYS,
        show=show,
        counts=counts,
        trend_until=_last_month(chosen),  # the trend ends with the period's last month
    )


def _last_month(period: Period) -> str:
    last = period.end - timedelta(microseconds=1)
    return month_period(last.year, last.month).label
