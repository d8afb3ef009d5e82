"""Mail transports: a real SMTP server (aiosmtpd), and .eml files."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from notify.mail import FileMailer, Mail, MailError, SmtpMailer, mailer_from
from tests.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from vigil.embedded import free_port

MAIL = Mail(
    to=("dispatch@acme.test",),
    subject="[Vigil] WO-2026-000001 75 % of the time used",
    body="Deadline to respond: 2026-03-02T16:00:00+00:00\n",
    sender="vigil@acme.test",
    message_id="<escalation-1-1@vigil>",
)


def test_smtp_relay_receives_the_mail(smtp_server: SmtpServer) -> None:  # noqa: F811
    SmtpMailer(smtp_server.url).send(MAIL)
    [received] = smtp_server.inbox.wait_for(1)
    assert received["Subject"] == MAIL.subject
    assert received["Message-ID"] == "<escalation-1-1@vigil>"
    assert received.get_content().replace("\r\n", "\n") == MAIL.body  # SMTP lines end in CRLF
    assert smtp_server.inbox.envelopes == [("vigil@acme.test", ["dispatch@acme.test"])]


def test_a_relay_that_is_down_raises_mail_error() -> None:
    with pytest.raises(MailError, match=r"SMTP relay 127\.0\.0\.1"):
        SmtpMailer(f"smtp://127.0.0.1:{free_port()}", timeout_s=2).send(MAIL)


def test_without_a_relay_mails_are_eml_files(tmp_path: Path) -> None:
    mailer = mailer_from(None, outbox_dir=tmp_path / "mail")
    assert isinstance(mailer, FileMailer)
    mailer.send(MAIL)
    [path] = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "dispatch@acme.test"
    assert parsed["Subject"] == MAIL.subject


@pytest.mark.parametrize("url", ["http://mail", "smtp://", "mail.acme.test:25"])
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="smtp://"):
        mailer_from(url, outbox_dir=Path("unused"))


def test_doctests() -> None:
    import doctest

    from notify import mail

    result = doctest.testmod(mail)
    assert result.attempted > 0
    assert result.failed == 0
