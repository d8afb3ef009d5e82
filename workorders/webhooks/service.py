"""Subscriptions, the outbox, and the delivery log (plain functions; the caller commits)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workorders.errors import InvalidInput, NotFound
from workorders.models import WorkOrder, document
from workorders.webhooks.models import (
    EVENT_TYPES,
    Delivery,
    DeliveryStatus,
    OutboxEvent,
    Subscription,
)
from workorders.webhooks.signing import is_valid_whsec, new_secret

# Connectors a subscription may name (workorders/connectors/).
CONNECTORS = ("rt",)
# How long the old secret keeps signing after a rotation, unless the caller says otherwise.
ROTATION_OVERLAP = timedelta(hours=24)


def _check_event_types(event_types: Sequence[str]) -> list[str]:
    if not event_types:
        raise InvalidInput("at least one event type (or '*')")
    unknown = sorted(set(event_types) - {*EVENT_TYPES, "*"})
    if unknown:
        raise InvalidInput(f"unknown event types {unknown}; known: {', '.join(EVENT_TYPES)} or '*'")
    return sorted(set(event_types))


def _check_secret(secret: str | None) -> str:
    if secret is None:
        return new_secret()
    if len(secret) < 16:
        raise InvalidInput("webhook secret must have at least 16 characters")
    if not is_valid_whsec(secret):
        raise InvalidInput(
            "a secret starting with 'whsec_' must continue in base64 (Standard Webhooks format); "
            "omit the secret to have one generated"
        )
    return secret


def add_subscription(
    *,
    session: Session,
    url: str,
    now: datetime,
    event_types: Sequence[str] = ("*",),
    secret: str | None = None,
    description: str = "",
    connector: str | None = None,
) -> Subscription:
    """Register a receiver. Without a secret one is generated (read it once from the result):
    ``whsec_`` + base64 of 32 random bytes, the Standard Webhooks format.

    With a ``connector`` (``rt``), ``url`` is the ticketing system's base URL and the connector
    delivers there instead of a webhook POST (its credentials come from the settings)."""
    if connector is not None and connector not in CONNECTORS:
        raise InvalidInput(f"unknown connector {connector!r}; known: {', '.join(CONNECTORS)}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"webhook URL must be http(s)://host/..., got {url!r}")
    sub = Subscription(
        url=url,
        secret=_check_secret(secret),
        event_types=_check_event_types(event_types),
        description=description,
        connector=connector,
        active=True,
        created_at=now,
    )
    session.add(sub)
    session.flush()
    return sub


def get_subscription(*, session: Session, subscription_id: uuid.UUID) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return sub


def rotate_secret(
    *,
    session: Session,
    subscription_id: uuid.UUID,
    now: datetime,
    secret: str | None = None,
    overlap: timedelta = ROTATION_OVERLAP,
) -> Subscription:
    """Replace the signing secret (generated when not given; read it once from the result).

    Until ``now + overlap`` deliveries carry a Standard Webhooks signature with each of the two
    secrets, so the receiver can switch to the new one whenever it likes; ``X-Vigil-Signature``
    uses the new secret at once. A zero overlap drops the old secret immediately.
    """
    if overlap < timedelta(0):
        raise InvalidInput("the overlap of a secret rotation cannot be negative")
    sub = get_subscription(session=session, subscription_id=subscription_id)
    fresh = _check_secret(secret)
    if fresh == sub.secret:
        raise InvalidInput("the new secret must differ from the current one")
    sub.previous_secret, sub.previous_secret_until = sub.secret, now + overlap
    sub.secret = fresh
    session.flush()
    return sub


def list_subscriptions(*, session: Session) -> list[Subscription]:
    return list(session.scalars(sa.select(Subscription).order_by(Subscription.created_at)))


def remove_subscription(*, session: Session, subscription_id: uuid.UUID) -> None:
    """Delete a receiver together with its deliveries: pending ones are never sent."""
    session.delete(get_subscription(session=session, subscription_id=subscription_id))
    session.flush()


def enqueue(
    *,
    session: Session,
    event_type: str,
    work_order: WorkOrder,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Write the event and one delivery per interested subscription, in the caller's transaction.

    ``extra`` adds event-specific members beside the document (``escalation`` for
    ``work_order.escalated``).
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    event = OutboxEvent(
        id=uuid.uuid4(),
        event_type=event_type,
        work_order_id=work_order.id,
        body=_body(work_order, extra),
        created_at=now,
    )
    session.add(event)
    for sub in session.scalars(sa.select(Subscription).where(Subscription.active)):
        if "*" in sub.event_types or event_type in sub.event_types:
            session.add(
                Delivery(
                    event_id=event.id,
                    subscription_id=sub.id,
                    status=DeliveryStatus.PENDING,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    session.flush()
    return event


def _body(work_order: WorkOrder, extra: dict[str, Any] | None) -> str:
    doc = document(work_order)
    if not extra:
        return doc.model_dump_json()
    return json.dumps(doc.model_dump(mode="json") | extra)


def list_deliveries(
    *,
    session: Session,
    work_order_id: uuid.UUID | None = None,
    subscription_id: uuid.UUID | None = None,
    status: DeliveryStatus | None = None,
    limit: int = 100,
) -> list[Delivery]:
    """The delivery log, newest first: per work order, per receiver, or the dead letters."""
    query = sa.select(Delivery).join(OutboxEvent).order_by(Delivery.created_at.desc(), Delivery.id)
    if work_order_id is not None:
        query = query.where(OutboxEvent.work_order_id == work_order_id)
    if subscription_id is not None:
        query = query.where(Delivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    return list(session.scalars(query.limit(max(1, min(limit, 1000)))))


def replay(*, session: Session, delivery_id: uuid.UUID, now: datetime) -> Delivery:
    """Send a delivery again (dead-lettered or delivered) with the same delivery id and body."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    # The age limit counts from here, not from the original event.
    delivery.created_at = now
    delivery.next_attempt_at = now
    delivery.lease_until = None
    session.flush()
    return delivery


def replay_dead(
    *, session: Session, now: datetime, subscription_id: uuid.UUID | None = None
) -> int:
    """Replay every dead letter (of one receiver, or all). Returns how many."""
    dead = list_deliveries(
        session=session, subscription_id=subscription_id, status=DeliveryStatus.DEAD, limit=1000
    )
    for delivery in dead:
        replay(session=session, delivery_id=delivery.id, now=now)
    return len(dead)
