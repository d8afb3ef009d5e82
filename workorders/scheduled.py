"""Periodic work-order jobs (the scheduler in ``vigil serve`` calls them)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workorders import service
from workorders.db import in_transaction
from workorders.models import Status, WorkOrder

VERIFIER = "vigil (follow-up verified)"


def close_verified(*, session_factory: sessionmaker[Session], now: datetime) -> list[str]:
    """Close resolved work orders whose follow-up period passed without the fault coming back.

    A recurrence during the period reopens the work order instead (``open_for_alert``), so
    reaching the end of it quiet is the verification. Work orders resolved without a resolution
    code stay resolved: closing needs one, and a person must give it.
    """

    def run(session: Session) -> list[str]:
        due = session.scalars(
            sa.select(WorkOrder)
            .where(
                WorkOrder.status == Status.RESOLVED,
                WorkOrder.resolution_code.is_not(None),
                WorkOrder.follow_up_until <= now,
            )
            .order_by(WorkOrder.follow_up_until)
            .limit(500)
        ).all()
        for wo in due:
            service.transition(
                session=session,
                work_order_id=wo.id,
                to=Status.CLOSED,
                expected_version=wo.version,
                actor=VERIFIER,
                now=now,
                note="no recurrence during follow-up",
            )
        return [wo.number for wo in due]

    return in_transaction(session_factory, run)
