"""The reports' settings handed down as their own config, and the job that makes and mails the
month's report from `vigil serve`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from notify.mail import Mailer
from reports.document import flows, scheduled
from reports.document.config import Costs, ReportConfig
from reports.document.render import Written
from reports.kpis import KEYS, Period
from vigil.settings import Settings, SettingsError


def report_config(settings: Settings) -> ReportConfig:
    """The reports' config, or SettingsError naming a target that is no KPI."""
    unknown = sorted(set(settings.report_targets) - set(KEYS))
    if unknown:
        raise SettingsError(
            f"VIGIL_REPORT_TARGETS: no KPI named {', '.join(unknown)}; "
            f"the KPIs are {', '.join(KEYS)}"
        )
    return ReportConfig(
        currency=settings.report_currency,
        costs=Costs(
            unplanned_failure=settings.unplanned_failure_cost,
            planned_repair=settings.planned_repair_cost,
            false_alarm_visit=settings.false_alarm_visit_cost,
        ),
        costs_by_asset_type={
            asset_type: Costs(*values)
            for asset_type, values in settings.report_costs_by_asset_type.items()
        },
        targets=dict(settings.report_targets),
        scorecard_weights=settings.weights,
    )


def reports_dir(settings: Settings) -> Path:
    """Where the scheduler keeps the reports it made: <data dir>/reports/<period>/."""
    return settings.data_dir / "reports"


def monthly_report_tick(
    *,
    settings: Settings,
    session_factory: sessionmaker[Session],
    mailer: Mailer,
    now: datetime,
    config: ReportConfig,
) -> int:

    def make(period: Period, directory: Path, at: datetime) -> Written:
        return flows.make(
            session_factory=session_factory,
            period=period,
            directory=directory,
            now=at,
            config=config,
        )

    return scheduled.run(
        session_factory=session_factory,
        now=now,
        hour=settings.monthly_report_hour,
        directory=reports_dir(settings),
        make=make,
        mailer=mailer,
        sender=settings.mail_from,
        addresses=settings.escalation_addresses[1],
    )
