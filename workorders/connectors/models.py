"""Which ticket of which connector stands for which work order."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workorders.db import Base


class TicketLink(Base):
    """A work order's ticket in the system of one connector subscription."""

    __tablename__ = "ticket_links"
    __table_args__ = (
        # Named: the naming convention would give both the same name (it uses the first column).
        sa.UniqueConstraint("subscription_id", "work_order_id", name="uq_ticket_links_work_order"),
        sa.UniqueConstraint("subscription_id", "ticket_ref", name="uq_ticket_links_ticket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    ticket_ref: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
