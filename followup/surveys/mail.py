"""Escalation mails of poor surveys, sent through ``notify`` from the escalation rows.

Each row is claimed with a lease first (a guarded UPDATE, committed), then sent, then marked:
a crash between sending and marking sends it again after the lease with the same Message-ID (a
receiver can drop the copy), and never loses it. Without an address to send to, the row records
why and waits: the API still lists the escalation.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from customers.db import claim_lease, in_transaction
from customers.models import Customer
from followup.surveys.models import Escalation, Survey
from notify.mail import Mail, Mailer, MailError

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
RETRY = timedelta(minutes=10)
ATTEMPTS = 20
NO_ADDRESS = "no service manager address: set VIGIL_SERVICE_MANAGER_EMAILS"


def send_escalations(
    *,
    session_factory: sessionmaker[Session],
    mailer: Mailer,
    sender: str,
    addresses: tuple[str, ...],
    now: datetime,
) -> int:
    """Mail the waiting escalations to ``addresses``; how many went out."""
    with session_factory() as session:
        waiting = session.scalars(
            sa.select(Escalation.id)
            .where(
                Escalation.mailed_at.is_(None),
                Escalation.next_attempt_at <= now,
                Escalation.attempts < ATTEMPTS,
            )
            .order_by(Escalation.id)
            .limit(50)
        ).all()
    if waiting and not addresses:
        in_transaction(session_factory, lambda s: _no_address(s, list(waiting)))
        return 0
    sent = 0
    for escalation_id in waiting:
        mail = in_transaction(
            session_factory,
            partial(_claim, escalation_id=escalation_id, to=addresses, sender=sender, now=now),
        )
        if mail is None:
            continue  # another sender has it
        try:
            mailer.send(mail)
        except MailError as error:
            reason = str(error)[:500]
            in_transaction(
                session_factory,
                partial(_failed, escalation_id=escalation_id, reason=reason, now=now),
            )
            log.warning("survey escalation %s: %s", escalation_id, reason)
            continue
        in_transaction(
            session_factory, partial(_sent, escalation_id=escalation_id, to=list(mail.to), now=now)
        )
        sent += 1
    return sent


def _no_address(session: Session, ids: list[int]) -> None:
    session.execute(
        sa.update(Escalation).where(Escalation.id.in_(ids)).values(last_error=NO_ADDRESS)
    )


def _claim(
    session: Session, *, escalation_id: int, to: tuple[str, ...], sender: str, now: datetime
) -> Mail | None:
    if not claim_lease(
        session,
        Escalation,
        escalation_id,
        waiting=Escalation.mailed_at.is_(None),
        now=now,
        lease=LEASE,
    ):
        return None
    row = session.get_one(Escalation, escalation_id)
    survey = session.get_one(Survey, row.survey_id)
    customer = session.get_one(Customer, survey.customer_id)
    answers = ", ".join(
        f"{name} {getattr(survey, name) if getattr(survey, name) is not None else '-'}"
        for name in ("overall", "speed", "competence", "communication", "recommend")
    )
    body = (
        f"A customer survey scored below 3 and needs your review.\n\n"
        f"Customer: {customer.name}\n"
        f"Why: {row.reason}\n"
        f"Answers: {answers}\n"
        f"Comment: {survey.comment or '-'}\n"
        f"Answered: {survey.answered_at:%Y-%m-%d %H:%M} UTC\n\n"
        f"A review task and a second visit were opened. Acknowledge the escalation with\n"
        f"POST /api/v1/surveys/escalations/{row.id}/acknowledge\n"
    )
    return Mail(
        to=to,
        subject=f"Survey escalation: {customer.name} scored {survey.score:g}",
        body=body,
        sender=sender,
        message_id=f"<survey-escalation-{row.id}@vigil>",
        headers={"X-Vigil-Survey": str(survey.id)},
    )


def _failed(session: Session, *, escalation_id: int, reason: str, now: datetime) -> None:
    session.execute(
        sa.update(Escalation)
        .where(Escalation.id == escalation_id)
        .values(last_error=reason, next_attempt_at=now + RETRY)
    )


def _sent(session: Session, *, escalation_id: int, to: list[str], now: datetime) -> None:
    session.execute(
        sa.update(Escalation)
        .where(Escalation.id == escalation_id)
        .values(mailed_at=now, mailed_to=to, last_error=None)
    )
