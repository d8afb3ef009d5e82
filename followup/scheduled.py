"""The follow-up job the scheduler in ``vigil serve`` runs: verify due repairs from telemetry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from followup.health import HealthReader
from followup.models import Outcome
from followup.service import VerificationPolicy, align_periods, due, verify
from workorders.db import in_transaction
from workorders.models import WorkOrder


@dataclass
class Verdicts:
    """Work-order numbers by outcome of one run."""

    verified: list[str] = field(default_factory=list)
    repeat_repair: list[str] = field(default_factory=list)
    no_telemetry: list[str] = field(default_factory=list)


def verify_repairs(
    *,
    session_factory: sessionmaker[Session],
    health: HealthReader,
    now: datetime,
    policy: VerificationPolicy | None = None,
) -> Verdicts:
    """Judge every resolved work order whose verification period has ended (one transaction)."""
    rules = policy or VerificationPolicy()

    def run(session: Session) -> Verdicts:
        verdicts = Verdicts()
        align_periods(session=session, policy=rules, now=now)
        for work_order_id in due(session=session, policy=rules, now=now):
            verdict = verify(
                session=session, work_order_id=work_order_id, health=health, policy=rules, now=now
            )
            if verdict is not None:
                wo = session.get_one(WorkOrder, work_order_id)
                getattr(verdicts, Outcome(verdict.outcome).value).append(wo.number)
        return verdicts

    return in_transaction(session_factory, run)
