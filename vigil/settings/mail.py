"""Settings of e-mail: the SMTP relay, who hears of SLA escalations, and how often escalations
and the customer's notices are sent."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from notify.mail import parse_smtp_url


class MailSettings(BaseModel):
    # smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://...; unset: mails are
    # written as .eml files under <data dir>/mail.
    smtp_url: str | None = None
    mail_from: str = "vigil@localhost"
    # Who hears of escalations, comma-separated addresses (the plan names the roles per level).
    dispatcher_emails: str = ""
    service_manager_emails: str = ""
    # Assignees by name: "ana=ana@example.com,bo=bo@example.com" (an assignee that is an address
    # needs no entry).
    staff_emails: str = ""
    # How often due escalations, scheduled resumes and waiting mails are looked at.
    escalation_poll_s: float = Field(default=30.0, gt=0)
    # How often the customer's notices of work-order steps (received, engineer on the way, done,
    # survey) are sent.
    notice_poll_s: float = Field(default=10.0, gt=0)

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value:
            parse_smtp_url(value)
        return value or None

    @field_validator("dispatcher_emails", "service_manager_emails")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for address in split_addresses(value):
            if "@" not in address:
                raise ValueError(f"{address!r} is not an e-mail address (comma-separated list)")
        return value

    @field_validator("staff_emails")
    @classmethod
    def _staff(cls, value: str) -> str:
        staff_addresses(value)
        return value

    @property
    def escalation_addresses(self) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
        """(dispatchers, service managers, staff name -> address)."""
        return (
            split_addresses(self.dispatcher_emails),
            split_addresses(self.service_manager_emails),
            staff_addresses(self.staff_emails),
        )


def split_addresses(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def staff_addresses(value: str) -> dict[str, str]:
    """
    >>> staff_addresses("ana=ana@acme.test, bo = bo@acme.test")
    {'ana': 'ana@acme.test', 'bo': 'bo@acme.test'}
    """
    out: dict[str, str] = {}
    for part in split_addresses(value):
        name, sep, address = part.partition("=")
        if not sep or not name.strip() or "@" not in address:
            raise ValueError(f"expected name=address pairs separated by commas, got {part!r}")
        out[name.strip()] = address.strip()
    return out
