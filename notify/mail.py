"""Sending e-mail: through an SMTP relay, or into .eml files when no relay is configured.

The lowest service layer: it knows messages and transports, nothing of work orders or customers.

``VIGIL_SMTP_URL`` names the relay: ``smtp://host:25`` (STARTTLS when the server offers it),
``smtps://user:password@host:465`` (TLS from the first byte); user and password are
percent-decoded, so a ``@`` in a password is written ``%40``. Without a relay, each mail is
written as ``<data dir>/mail/<time>-<id>.eml``, which any mail client opens.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit


class MailError(Exception):
    """The mail could not be handed over; the message says why (retry later)."""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str
    sender: str
    # Stable per message, so a receiver can drop a copy sent again after a crash.
    message_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # An HTML alternative of ``body`` (text stays the first part, for every mail client).
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()

    def message(self) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = self.message_id or make_msgid(domain="vigil")
        msg.set_content(self.body)
        if self.html is not None:
            msg.add_alternative(self.html, subtype="html")
        for attachment in self.attachments:
            maintype, _, subtype = attachment.mime_type.partition("/")
            msg.add_attachment(
                attachment.content,
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
            )
        # After the content: setting it drops the Content-* headers (Content-Language).
        for name, value in self.headers.items():
            msg[name] = value
        return msg


class Mailer(Protocol):
    description: str

    def send(self, mail: Mail) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    host: str
    port: int
    tls: bool
    user: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpRelay:
    """
    >>> parse_smtp_url("smtps://desk%40acme.test:s%3Acret@mail.acme.test")
    SmtpRelay(host='mail.acme.test', port=465, tls=True, user='desk@acme.test', password='s:cret')
    >>> parse_smtp_url("http://mail")
    Traceback (most recent call last):
    ...
    ValueError: expected smtp://[user:password@]host[:port] or smtps://..., got 'http://mail'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"expected smtp://[user:password@]host[:port] or smtps://..., got {url!r}")
    tls = parts.scheme == "smtps"
    return SmtpRelay(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpMailer:
    """One connection per mail: escalations are few, and a relay restart costs nothing."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self.relay = parse_smtp_url(url)
        self.timeout_s = timeout_s
        self.description = f"SMTP relay {self.relay.host}:{self.relay.port}"

    def send(self, mail: Mail) -> None:
        relay = self.relay
        try:
            smtp: smtplib.SMTP = (
                smtplib.SMTP_SSL(
                    relay.host,
                    relay.port,
                    timeout=self.timeout_s,
                    context=ssl.create_default_context(),
                )
                if relay.tls
                else smtplib.SMTP(relay.host, relay.port, timeout=self.timeout_s)
            )
            with smtp:
                smtp.ehlo()
                if not relay.tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if relay.user is not None:
                    smtp.login(relay.user, relay.password or "")
                smtp.send_message(mail.message())
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"{self.description}: {error}") from error


class FileMailer:
    """Mails as .eml files in a directory (the demo, or no relay configured)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"files in {directory}"

    def send(self, mail: Mail) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            path.write_bytes(bytes(mail.message()))
        except OSError as error:
            raise MailError(f"{self.description}: {error}") from error


def mailer_from(smtp_url: str | None, *, outbox_dir: Path) -> Mailer:
    """The SMTP relay when a URL is given, else .eml files in ``outbox_dir``."""
    return SmtpMailer(smtp_url) if smtp_url else FileMailer(outbox_dir)
