"""Webhook subscriptions of the ticketing system, and the delivery log (replay dead letters)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from api.deps import SessionDep, WebhookKey
from workorders.webhooks import service
from workorders.webhooks.models import EVENT_TYPES, DeliveryRead, DeliveryStatus, SubscriptionRead

router = APIRouter(tags=["webhooks"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not found"}}


class SubscriptionCreate(BaseModel):
    url: str = Field(max_length=2000, examples=["https://ticketing.example.com/hooks/vigil"])
    event_types: list[str] = Field(
        default=["*"], max_length=10, description=f"Any of {', '.join(EVENT_TYPES)}, or '*'"
    )
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=200,
        description="HMAC secret; generated when omitted (returned once in the response)",
    )
    description: str = Field("", max_length=200, examples=["ServiceNow production"])
    connector: str | None = Field(
        None,
        description="'rt': deliver to Request Tracker at url (credentials from VIGIL_RT_*) "
        "instead of a webhook POST",
    )


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The signing secret; shown only in this response")


class SecretRotation(BaseModel):
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=200,
        description="The new secret; generated when omitted (returned once in the response)",
    )
    overlap_s: float = Field(
        default=service.ROTATION_OVERLAP.total_seconds(),
        ge=0,
        le=30 * 86400,
        description="How long the old secret keeps signing beside the new one",
    )


class ReplayResult(BaseModel):
    replayed: int


@router.get("/webhooks", response_model=list[SubscriptionRead], summary="Webhook subscriptions")
def list_subscriptions(session: SessionDep, key: WebhookKey) -> list[SubscriptionRead]:
    return [SubscriptionRead.model_validate(s) for s in service.list_subscriptions(session=session)]


@router.post(
    "/webhooks",
    response_model=SubscriptionCreated,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "Bad URL, secret or event type"}},
    summary="Register a receiver",
)
def add_subscription(
    body: SubscriptionCreate, session: SessionDep, key: WebhookKey
) -> SubscriptionCreated:
    sub = service.add_subscription(
        session=session,
        url=body.url,
        event_types=body.event_types,
        secret=body.secret,
        description=body.description,
        connector=body.connector,
        now=datetime.now(UTC),
    )
    return SubscriptionCreated(
        secret=sub.secret, **SubscriptionRead.model_validate(sub).model_dump()
    )


@router.post(
    "/webhooks/{subscription_id}/rotate-secret",
    response_model=SubscriptionCreated,
    responses={**_NOT_FOUND, 422: {"description": "Bad secret or overlap"}},
    summary="Replace the signing secret; the old one keeps signing during the overlap",
)
def rotate_secret(
    subscription_id: uuid.UUID, body: SecretRotation, session: SessionDep, key: WebhookKey
) -> SubscriptionCreated:
    sub = service.rotate_secret(
        session=session,
        subscription_id=subscription_id,
        secret=body.secret,
        overlap=timedelta(seconds=body.overlap_s),
        now=datetime.now(UTC),
    )
    return SubscriptionCreated(
        secret=sub.secret, **SubscriptionRead.model_validate(sub).model_dump()
    )


@router.delete(
    "/webhooks/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="Remove a receiver and its pending deliveries",
)
def remove_subscription(subscription_id: uuid.UUID, session: SessionDep, key: WebhookKey) -> None:
    service.remove_subscription(session=session, subscription_id=subscription_id)


@router.get("/deliveries", response_model=list[DeliveryRead], summary="Delivery log, newest first")
def list_deliveries(
    session: SessionDep,
    key: WebhookKey,
    subscription_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryRead]:
    rows = service.list_deliveries(
        session=session,
        subscription_id=subscription_id,
        work_order_id=work_order_id,
        status=delivery_status,
        limit=limit,
    )
    return [DeliveryRead.of(row) for row in rows]


@router.post(
    "/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    responses=_NOT_FOUND,
    summary="Send a delivery again, with the same delivery id and body",
)
def replay(delivery_id: uuid.UUID, session: SessionDep, key: WebhookKey) -> DeliveryRead:
    return DeliveryRead.of(
        service.replay(session=session, delivery_id=delivery_id, now=datetime.now(UTC))
    )


@router.post(
    "/deliveries/replay-dead",
    response_model=ReplayResult,
    summary="Replay every dead letter (of one receiver, or all)",
)
def replay_dead(
    session: SessionDep, key: WebhookKey, subscription_id: uuid.UUID | None = None
) -> ReplayResult:
    count = service.replay_dead(
        session=session, subscription_id=subscription_id, now=datetime.now(UTC)
    )
    return ReplayResult(replayed=count)
