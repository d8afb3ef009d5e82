"""Assemble the monthly or quarterly report from the records, section by section.

The caller gives the session (read only), the period, the KPI module as a function of period
and breakdown, and the time the report is made; progress is reported per step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from reports.document import followups, performance, problems, savings, scorecards
from reports.document.config import ReportConfig
from reports.document.content import Report, Section
from reports.document.performance import KpiSource
from reports.kpis import Dimension, Period
from reports.scorecards.service import scorecards as scorecard_cards

Progress = Callable[[str], None]
STEPS = 10


def _quiet(step: str) -> None:
    del step


def build_report(
    *,
    session: Session,
    period: Period,
    kpis: KpiSource,
    config: ReportConfig,
    now: datetime,
    progress: Progress = _quiet,
) -> Report:
    previous = period.previous()
    kind = {"month": "Monthly", "quarter": "Quarterly"}.get(period.kind, "Service")
    report = Report(
        title=f"{kind} service report {period.label}",
        period_label=period.label,
        previous_label=previous.label,
        generated_at=now,
    )
    trend = period.trailing(config.trend_periods)

    def step(name: str, make: Callable[[], Section]) -> None:
        progress(name)
        report.sections.append(make())

    progress("KPIs of the period and the previous one")
    current = kpis(period, None)
    before = kpis(previous, None)
    known = {period: current, previous: before}
    report.sections.append(
        performance.kpis_section(current=current, previous=before, config=config)
    )
    step(
        "satisfaction trend",
        lambda: performance.satisfaction_section(
            trend=[known[p] if p in known else kpis(p, None) for p in trend]
        ),
    )
    step("recurring problems", lambda: problems.recurring(session=session, period=period))
    step("heat map", lambda: problems.heat(session=session, period=period))
    step(
        "engineers and regions",
        lambda: performance.comparison_section(
            engineers=kpis(period, Dimension.ENGINEER),
            regions=kpis(period, Dimension.REGION),
            config=config,
        ),
    )
    step(
        "engineer scorecards",
        lambda: scorecards.section(
            cards=scorecard_cards(
                session=session, period=period, weights=config.scorecard_weights, now=now
            ),
            weights=config.scorecard_weights,
        ),
    )
    step("parts consumed", lambda: performance.parts_section(current=current, config=config))
    as_of = min(period.end, now)
    step(
        "overdue follow-ups",
        lambda: followups.section(session=session, current=current, as_of=as_of),
    )
    step(
        "predictive maintenance savings",
        lambda: savings.section(
            session=session,
            period=period,
            config=config,
            warning_time=current.total["warning_time_median_h"],
            trend=trend,
        ),
    )
    step("faults per asset model", lambda: problems.per_model(session=session, period=period))
    return report
