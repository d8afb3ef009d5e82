"""The record of the reports the scheduler made and mailed: one row per report, by a unique key.

The row is the decision: inserting it (``monthly:2026-11``) is what makes the report due, so two
schedulers, or one restarted on the 1st, cannot both make it. It is then its own mail outbox,
as the survey escalations are: claimed with a lease, sent after commit with a Message-ID built
from the key, marked sent.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from customers.db import Base


class ReportRun(Base):
    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "monthly:2026-11": one report per kind and period, ever.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    period: Mapped[str] = mapped_column(sa.String(32))
    decided_at: Mapped[datetime]
    # Where its files were written, once they were (a run that crashed before is made again).
    made_at: Mapped[datetime | None]
    directory: Mapped[str | None] = mapped_column(sa.String(1000))
    # The mail: tried until sent; a lease in next_attempt_at keeps two senders apart.
    message_id: Mapped[str] = mapped_column(sa.String(200))
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    mailed_at: Mapped[datetime | None]
    mailed_to: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
