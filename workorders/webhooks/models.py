"""Outbox, webhook subscriptions and the delivery log."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.db import Base
from workorders.models import _enum

# Event types a subscription may ask for; "*" means all of them.
EVENT_TYPES = (
    "work_order.created",
    "work_order.updated",
    "work_order.status_changed",
    "work_order.reopened",
    # An SLA deadline reached 50, 75 or 100 %: the document plus an "escalation" member.
    "work_order.escalated",
)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class Subscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(sa.String(2000))
    # Kept in clear: signing needs the secret itself, a hash would not do.
    secret: Mapped[str] = mapped_column(sa.String(200))
    # During a rotation the old secret still signs (beside the new one) until then, so a receiver
    # can switch at any moment without refusing a delivery.
    previous_secret: Mapped[str | None] = mapped_column(sa.String(200))
    previous_secret_until: Mapped[datetime | None]
    event_types: Mapped[list[str]] = mapped_column(sa.JSON)
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # None: a plain webhook. Otherwise the connector that delivers instead of an HTTP POST
    # (``rt``: Request Tracker at ``url``); see workorders/connectors/.
    connector: Mapped[str | None] = mapped_column(sa.String(32))
    # The connector's position in the ticketing system's change history (opaque to Vigil).
    sync_cursor: Mapped[str | None] = mapped_column(sa.String(200))

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets deliveries are signed with at ``now``: the current one first."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)


class OutboxEvent(Base):
    """One change of one work order, written in the same transaction as the change."""

    __tablename__ = "outbox_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_type: Mapped[str] = mapped_column(sa.String(64))
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    # The document as it was at the change: the body is exactly this, on every attempt.
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]


class Delivery(Base):
    """One event to one subscription. Its id is the X-Vigil-Delivery header, the same on retries."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[OutboxEvent] = relationship(lazy="joined", innerjoin=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # A worker that claimed the delivery owns it until then (another worker process skips it).
    lease_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SubscriptionRead(_Read):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: datetime
    previous_secret_until: datetime | None = None
    connector: str | None = None


class DeliveryRead(_Read):
    id: uuid.UUID
    event_type: str
    work_order_id: uuid.UUID
    subscription_id: uuid.UUID
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryRead:
        data: dict[str, Any] = {
            name: getattr(delivery, name)
            for name in cls.model_fields
            if name not in ("event_type", "work_order_id")
        }
        return cls(
            event_type=delivery.event.event_type,
            work_order_id=delivery.event.work_order_id,
            **data,
        )
