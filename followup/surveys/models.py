"""Tables of follow-up visits and surveys, and the Pydantic schemas the API reads them with.

A follow-up task is one due contact with a customer about an asset: generated on a schedule
(after a repair, after a new installation's first use, then per contract) or made by a survey's
outcome. Each (kind, asset, due key) exists once, so a generator run twice adds nothing.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column

from customers.db import Base, str_enum
from followup.surveys.scoring import Outcome


class TaskKind(enum.StrEnum):
    AFTER_REPAIR = "after_repair"  # 24 hours after a repair
    AFTER_INSTALLATION = "after_installation"  # 7 days after a new installation's first use
    PERIODIC = "periodic"  # quarterly or half-yearly in the first year, then yearly
    SURVEY_CALL = "survey_call"  # a survey scored 3: a named person calls the customer
    SURVEY_REVIEW = "survey_review"  # a survey scored below 3: the service manager reviews


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    VISIT = "visit"
    VIDEO = "video"
    MESSAGE = "message"


class FollowUpTask(Base):
    __tablename__ = "follow_up_tasks"
    __table_args__ = (
        sa.UniqueConstraint("kind", "asset_id", "due_key", name="uq_follow_up_tasks_due"),
        sa.Index("ix_follow_up_tasks_open_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, 32))
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    # Indexed: "has this repair a follow-up?" is asked per work order (KPIs, the generator).
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL"), index=True
    )
    contract_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="SET NULL")
    )
    # The survey whose outcome made it. No foreign key: surveys point at their task, and a cycle
    # of keys between the two tables cannot be created in order on SQLite.
    survey_id: Mapped[int | None] = mapped_column(index=True)
    # What makes this occurrence unique for its kind and asset: the repair's resolution time,
    # the visit's date, the survey's id.
    due_key: Mapped[str] = mapped_column(sa.String(64))
    due_at: Mapped[datetime] = mapped_column(index=True)  # the KPIs select tasks due in a period
    title: Mapped[str] = mapped_column(sa.String(300))
    assignee: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.OPEN)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(200))
    # The reminder before it is due, and the first time it was found overdue (each once).
    reminded_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


class FollowUpContact(Base):
    """One contact with the customer about a task: when, how, who, and what was said."""

    __tablename__ = "follow_up_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("follow_up_tasks.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    channel: Mapped[ContactChannel] = mapped_column(str_enum(ContactChannel))
    made_by: Mapped[str] = mapped_column(sa.String(200))
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )
    # Whom they spoke to when it was not a contact on record.
    spoke_with: Mapped[str | None] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(sa.String(200))


class ContractCadence(Base):
    """How often a contract's assets get a follow-up visit during their first year (3 or 6
    months); yearly after that. A contract without a row gets the default (6 months)."""

    __tablename__ = "follow_up_contract_cadence"
    __table_args__ = (sa.CheckConstraint("first_year_months IN (3, 6)", name="first_year_months"),)

    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    first_year_months: Mapped[int]
    set_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(sa.String(200))


def _rating(name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{name} IS NULL OR {name} BETWEEN 1 AND 5", name=name)


class Survey(Base):
    """One survey sent to a customer, answered once through its link.

    One column per question: an answer is unique per (survey, question) by construction, and
    NULL means unanswered (never 0). The weights are a copy of those in force when it was sent.
    """

    __tablename__ = "surveys"
    __table_args__ = (
        _rating("overall"),
        _rating("speed"),
        _rating("competence"),
        _rating("communication"),
        sa.CheckConstraint("recommend IS NULL OR recommend BETWEEN 0 AND 10", name="recommend"),
        sa.CheckConstraint("expires_at > sent_at", name="expiry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"))
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("follow_up_tasks.id", ondelete="SET NULL")
    )
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )
    # SHA-256 of the link's random token: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[datetime]
    weights: Mapped[dict[str, int]] = mapped_column(sa.JSON)
    questions: Mapped[dict[str, str]] = mapped_column(sa.JSON)

    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    overall: Mapped[int | None] = mapped_column(sa.SmallInteger)
    speed: Mapped[int | None] = mapped_column(sa.SmallInteger)
    competence: Mapped[int | None] = mapped_column(sa.SmallInteger)
    communication: Mapped[int | None] = mapped_column(sa.SmallInteger)
    recommend: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    # The weighted mean, rounded to 3 decimals for reading; the outcome was decided exactly.
    score: Mapped[float | None]
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    # What the outcome did (record decisions as data): the person named, the second visit.
    follow_up_person: Mapped[str | None] = mapped_column(sa.String(200))
    second_visit_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL")
    )


class PreferredCustomer(Base):
    """The preferred-customer list: customers whose latest answered survey scored 4 or more."""

    __tablename__ = "preferred_customers"

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime]
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    score: Mapped[float]


class Escalation(Base):
    """A poor survey escalated to the service manager: listed by the API until acknowledged,
    and its own mail outbox (``followup.surveys.mail`` sends it through ``notify``)."""

    __tablename__ = "survey_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), unique=True
    )
    recipient: Mapped[str] = mapped_column(sa.String(200))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.String(500))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(200))
    # The mail: tried until sent; a lease in next_attempt_at keeps two senders apart.
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    mailed_at: Mapped[datetime | None]
    mailed_to: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


# --- Pydantic schemas -----------------------------------------------------------------------------


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TaskRead(_Read):
    id: int
    kind: TaskKind
    asset_id: int
    customer_id: int | None
    work_order_id: uuid.UUID | None
    contract_id: int | None
    survey_id: int | None
    due_at: datetime
    title: str
    assignee: str | None
    status: TaskStatus
    created_at: datetime
    reminded_at: datetime | None
    overdue_at: datetime | None
    done_at: datetime | None
    overdue: bool = False


class ContactRead(_Read):
    id: int
    task_id: int
    at: datetime
    channel: ContactChannel
    made_by: str
    contact_id: int | None
    spoke_with: str | None
    summary: str
    recorded_at: datetime
    recorded_by: str


class SurveyRead(_Read):
    id: int
    customer_id: int
    asset_id: int
    work_order_id: uuid.UUID | None
    task_id: int | None
    contact_id: int | None
    sent_at: datetime
    sent_by: str
    expires_at: datetime
    weights: dict[str, int]
    answered_at: datetime | None
    overall: int | None
    speed: int | None
    competence: int | None
    communication: int | None
    recommend: int | None
    comment: str | None
    score: float | None
    outcome: Outcome | None
    follow_up_person: str | None
    second_visit_id: uuid.UUID | None


class EscalationRead(_Read):
    id: int
    survey_id: int
    recipient: str
    at: datetime
    reason: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    mailed_at: datetime | None
    mailed_to: list[str]
    last_error: str | None


class PreferredRead(_Read):
    customer_id: int
    customer: str
    since: datetime
    survey_id: int
    score: float
