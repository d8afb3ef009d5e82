"""A poor survey's escalation reaches the service manager by mail (``notify``), once."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import sqlalchemy as sa

from followup.surveys import mail
from followup.surveys.models import Escalation
from followup.surveys.service import Answers
from notify.mail import FileMailer
from tests.followup.surveys.test_surveys import LATER, answer, sent
from tests.workorders.dbkit import Db

MANAGERS = ("max@service.example", "ops-lead@service.example")


def poor_survey(db: Db) -> None:
    _, token = sent(db)
    answer(db, token, Answers(overall=1, speed=2, competence=2, communication=1, comment="Loud"))


def test_the_escalation_is_mailed_once_to_the_service_managers(db: Db, tmp_path: Path) -> None:
    poor_survey(db)
    outbox = tmp_path / "mail"
    mailer = FileMailer(outbox)
    args = {"session_factory": db.factory, "mailer": mailer, "sender": "vigil@service.example"}
    assert mail.send_escalations(**args, addresses=MANAGERS, now=LATER) == 1  # type: ignore[arg-type]
    assert mail.send_escalations(**args, addresses=MANAGERS, now=LATER) == 0  # type: ignore[arg-type]
    (eml,) = outbox.iterdir()
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == ", ".join(MANAGERS)
    assert message["Subject"] == "Survey escalation: ACME Water scored 1.5"
    assert "Loud" in message.get_payload()
    with db.factory() as session:
        row = session.scalars(sa.select(Escalation)).one()
        assert row.mailed_at == LATER
        assert row.mailed_to == list(MANAGERS)


def test_without_an_address_or_a_relay_the_escalation_waits_and_says_why(
    db: Db, tmp_path: Path
) -> None:
    poor_survey(db)
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the outbox directory should be")
    args = {"session_factory": db.factory, "sender": "vigil@service.example", "now": LATER}
    assert mail.send_escalations(**args, mailer=FileMailer(tmp_path), addresses=()) == 0  # type: ignore[arg-type]
    with db.factory() as session:
        assert session.scalars(sa.select(Escalation.last_error)).one() == mail.NO_ADDRESS
    assert mail.send_escalations(**args, mailer=FileMailer(blocked), addresses=MANAGERS) == 0  # type: ignore[arg-type]
    with db.factory() as session:
        row = session.scalars(sa.select(Escalation)).one()
        assert row.mailed_at is None
        assert row.attempts == 1
        assert row.next_attempt_at > LATER
        assert "not-a-dir" in (row.last_error or "")
