"""The monthly value analysis the scheduler in ``vigil serve`` runs (and the VIP health checks).

The job runs every hour and does the last complete month when it is missing, so a service that
was down on the 1st catches up when it starts, and a restart or a second tick adds nothing (the
snapshot rows and proposals are unique per customer and month).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from customers.db import in_transaction
from followup.health import HealthReader
from reports.value.health_checks import run_quarter
from reports.value.rfm import RfmRules
from reports.value.service import last_complete_month, run_month
from workorders.models import WorkOrder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MonthlyRun:
    period: str
    scored: int  # customers scored by this run (0: the month was done already)


def monthly_value_run(
    *, session_factory: sessionmaker[Session], now: datetime, rules: RfmRules
) -> MonthlyRun:
    period = last_complete_month(now)

    def run(session: Session) -> MonthlyRun:
        made = run_month(session=session, period=period, rules=rules, now=now)
        return MonthlyRun(period.label, len(made))

    return in_transaction(session_factory, run)


def quarterly_health_checks(
    *, session_factory: sessionmaker[Session], health: HealthReader, now: datetime
) -> list[str]:
    """This quarter's VIP health checks that were missing; the work-order numbers opened."""

    def run(session: Session) -> list[str]:
        made = run_quarter(session=session, health=health, now=now)
        return [session.get_one(WorkOrder, m.work_order_id).number for m in made]

    return in_transaction(session_factory, run)


def add_value_job(
    scheduler: Any,
    *,
    session_factory: sessionmaker[Session],
    health: HealthReader,
    rules: RfmRules,
    clock: Callable[[], datetime],
) -> None:
    """Every hour (and at start, so a service down on the 1st catches up): the last month's
    value analysis and this quarter's VIP health checks, each made once."""

    def run() -> None:
        now = clock()
        month = monthly_value_run(session_factory=session_factory, now=now, rules=rules)
        if month.scored:
            log.info("customer value of %s: %d customers scored", month.period, month.scored)
        opened = quarterly_health_checks(session_factory=session_factory, health=health, now=now)
        if opened:
            log.info("VIP health checks opened: %s", ", ".join(opened))

    scheduler.add_job(
        run,
        "interval",
        hours=1,
        id="vigil-customer-value",
        max_instances=1,
        coalesce=True,
        next_run_time=clock(),
    )
