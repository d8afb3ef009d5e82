"""Make a report: read the records in one session, build the document, write its files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from reports.document.build import Progress, build_report
from reports.document.config import ReportConfig
from reports.document.performance import KpiSource
from reports.document.render import Written, write_report
from reports.kpis import Dimension, KpiReport, Period, compute


def kpi_source(session: Session, now: datetime) -> KpiSource:
    """The KPI module's figures, as the KPI API computes them for the same period and time."""

    def kpis(period: Period, breakdown: Dimension | None) -> KpiReport:
        return compute(session=session, period=period, breakdown=breakdown, now=now)

    return kpis


def make(
    *,
    session_factory: sessionmaker[Session],
    period: Period,
    directory: Path,
    now: datetime,
    config: ReportConfig,
    progress: Progress | None = None,
) -> Written:
    with session_factory() as session:
        report = build_report(
            session=session,
            period=period,
            kpis=kpi_source(session, now),
            config=config,
            now=now,
            **({"progress": progress} if progress is not None else {}),
        )
    if progress is not None:
        progress("writing the HTML and CSV files")
    return write_report(report, directory, currency=config.currency)
