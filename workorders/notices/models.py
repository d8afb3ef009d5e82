"""The customer's notices of a work order's main steps: one row per step, kept after sending.

A row is written in the same transaction as the step it tells of (the work order's creation,
the dispatch, the resolution, the survey), under a unique ``key``: a retried request or a
restarted service that reaches the same step again finds the row and adds none. The mail is
composed and sent afterwards from the row (``workorders.notices.outbox``), so a relay that is
down delays a notice and never blocks or loses the work order.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column

from customers.db import Base, str_enum


class Step(enum.StrEnum):
    RECEIVED = "received"  # the work order exists
    ON_THE_WAY = "on_the_way"  # an engineer is sent, with the arrival window
    DONE = "done"  # the work is resolved
    SURVEY = "survey"  # the invitation to the survey, with its one-time link


class State(enum.StrEnum):
    WAITING = "waiting"  # to be sent (again, after a failure, at next_attempt_at)
    SENT = "sent"
    SKIPPED = "skipped"  # nobody to send to: last_error says why
    FAILED = "failed"  # the relay refused it too many times: last_error says why


class CustomerNotice(Base):
    __tablename__ = "customer_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "<work order id>:done:0": the same step reached again finds this row.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[Step] = mapped_column(str_enum(Step, 20))
    # What only the step knows (the arrival window, the survey link, the contact asked).
    # Cleared once sent when it held a secret (the survey link's token).
    facts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime]
    state: Mapped[State] = mapped_column(str_enum(State, 20), default=State.WAITING, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    # Filled when composed: to whom, in which language, with what subject.
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )
    address: Mapped[str | None] = mapped_column(sa.String(254))
    language: Mapped[str | None] = mapped_column(sa.String(20))
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    step: Step
    state: State
    created_at: datetime
    attempts: int
    address: str | None
    language: str | None
    subject: str | None
    sent_at: datetime | None
    last_error: str | None
