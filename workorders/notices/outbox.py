"""Sending the noted steps to the customer, after the step's transaction committed.

Each notice is claimed with a lease first (a guarded UPDATE, committed), composed, sent, then
marked sent. A crash between sending and marking sends it once more after the lease, with the
same Message-ID (``<notice-{id}@vigil>``) so the receiving server can drop the copy; a restarted
service never sends a notice marked sent. A relay that is down retries with a growing delay and,
after ``ATTEMPTS``, marks the notice failed with the relay's answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from customers.db import claim_lease, in_transaction
from notify.mail import Mail, Mailer, MailError
from notify.templates import TemplateError
from workorders.notices.models import CustomerNotice, State
from workorders.notices.service import TEMPLATES, NobodyToTell, compose

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
ATTEMPTS = 12
# Facts that must not outlive the mail (the survey link carries its one-time token).
_SECRET_FACTS = ("link",)


@dataclass(frozen=True, slots=True)
class Sending:
    mailer: Mailer
    sender: str
    templates: Path = TEMPLATES


def send_waiting(
    *, session_factory: sessionmaker[Session], sending: Sending, now: datetime, limit: int = 50
) -> int:
    """Send the notices that are due; returns how many went out."""
    with session_factory() as session:
        due = session.scalars(
            sa.select(CustomerNotice.id)
            .where(CustomerNotice.state == State.WAITING, CustomerNotice.next_attempt_at <= now)
            .order_by(CustomerNotice.id)
            .limit(limit)
        ).all()
    sent = 0
    for notice_id in due:
        mail = in_transaction(
            session_factory, partial(_claim, notice_id=notice_id, sending=sending, now=now)
        )
        if mail is None:
            continue  # another sender has it, or it was skipped
        try:
            sending.mailer.send(mail)
        except MailError as error:
            reason = str(error)[:500]
            in_transaction(
                session_factory, partial(_failed, notice_id=notice_id, reason=reason, now=now)
            )
            log.warning("customer notice %s: %s", notice_id, reason)
            continue
        in_transaction(session_factory, partial(_sent, notice_id=notice_id, now=now))
        sent += 1
    return sent


def _claim(session: Session, *, notice_id: int, sending: Sending, now: datetime) -> Mail | None:
    if not claim_lease(
        session,
        CustomerNotice,
        notice_id,
        waiting=CustomerNotice.state == State.WAITING,
        now=now,
        lease=LEASE,
    ):
        return None
    notice = session.get_one(CustomerNotice, notice_id)
    try:
        composed = compose(session=session, notice=notice, templates=sending.templates)
    except (NobodyToTell, TemplateError) as error:
        notice.state = State.SKIPPED
        notice.last_error = str(error)[:500]
        _forget_secrets(notice)
        log.warning("customer notice %s not sent: %s", notice_id, error)
        return None
    notice.contact_id = composed.to.contact_id
    notice.address = composed.to.address
    notice.language = composed.rendered.language
    notice.subject = composed.rendered.subject[:300]
    headers = {"X-Vigil-Notice": notice.step.value}
    if composed.rendered.language:
        headers["Content-Language"] = composed.rendered.language
    return Mail(
        to=(composed.to.address,),
        subject=composed.rendered.subject,
        body=composed.rendered.text,
        html=composed.rendered.html,
        sender=sending.sender,
        message_id=f"<notice-{notice.id}@vigil>",
        headers=headers,
    )


def _forget_secrets(notice: CustomerNotice) -> None:
    if any(name in notice.facts for name in _SECRET_FACTS):
        notice.facts = {k: v for k, v in notice.facts.items() if k not in _SECRET_FACTS}


def _sent(session: Session, *, notice_id: int, now: datetime) -> None:
    notice = session.get_one(CustomerNotice, notice_id)
    notice.state = State.SENT
    notice.sent_at = now
    notice.last_error = None
    _forget_secrets(notice)


def _failed(session: Session, *, notice_id: int, reason: str, now: datetime) -> None:
    notice = session.get_one(CustomerNotice, notice_id)
    notice.last_error = reason
    if notice.attempts >= ATTEMPTS:
        notice.state = State.FAILED
        _forget_secrets(notice)
        return
    notice.next_attempt_at = now + timedelta(seconds=min(3600, 30 * 2 ** min(notice.attempts, 7)))


def notices_of(*, session: Session, work_order_id: object) -> list[CustomerNotice]:
    """A work order's notices, oldest first (for the API and the dashboard)."""
    return list(
        session.scalars(
            sa.select(CustomerNotice)
            .where(CustomerNotice.work_order_id == work_order_id)
            .order_by(CustomerNotice.id)
        )
    )
