"""The periodic follow-up job (``vigil serve`` runs it): generate due tasks, then remind."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from customers.db import in_transaction
from followup.surveys import tasks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunReport:
    created: int
    reminded: int
    overdue: int


def run(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    window: tasks.Window = tasks.Window(),
    assignee: str | None = None,
) -> RunReport:
    def work(session: Session) -> RunReport:
        created = tasks.generate(session=session, now=now, window=window, assignee=assignee)
        reminders = tasks.remind(session=session, now=now)
        return RunReport(len(created), len(reminders.due_soon), len(reminders.overdue))

    report = in_transaction(session_factory, work)
    if report.created or report.reminded or report.overdue:
        log.info(
            "follow-up: %d task(s) created, %d reminder(s), %d newly overdue",
            report.created,
            report.reminded,
            report.overdue,
        )
    return report
