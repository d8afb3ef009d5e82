"""Requests from every channel: raise one (it becomes, or joins, a work order), read them.

A customer key raises requests for its own assets and sites only, always on the ``portal``
channel, and reads only its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import CustomerScope, RequestKey, SessionDep, actor
from api.roles import Role
from customers.schemas import RecordId
from workorders.models import WorkOrderDocument, document
from workorders.requests import service
from workorders.requests.models import Category, Channel, RequestRead

router = APIRouter(prefix="/requests", tags=["requests"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such request, asset, site or contact (or not yours)"},
    422: {"description": "Neither asset nor site named, or a bad field (the message says which)"},
}


class RequestCreate(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "channel": "hotline",
                    "category": "emergency_repair",
                    "description": "Passenger trapped in car 2, alarm button pressed",
                    "asset_id": 17,
                    "contact_name": "Front desk",
                    "contact_phone": "+41 44 000 00 00",
                }
            ]
        }
    }

    channel: Channel = Channel.HOTLINE
    category: Category
    description: str = Field(min_length=1, max_length=5000)
    asset_id: RecordId | None = None
    site_id: RecordId | None = None
    fault_code: str | None = Field(
        None, max_length=64, description="The problem if known (mechanical, ...): default category"
    )
    contact_id: RecordId | None = None
    contact_name: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, max_length=50)
    contact_email: str | None = Field(None, max_length=254)
    wanted_at: AwareDatetime | None = Field(
        None, description="When the customer wants someone there (with its UTC offset)"
    )


class Raised(BaseModel):
    request: RequestRead
    work_order: WorkOrderDocument


@router.post(
    "",
    response_model=Raised,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Raise a request; it opens a classified work order or joins the open one",
)
def raise_request(
    body: RequestCreate, session: SessionDep, key: RequestKey, scope: CustomerScope
) -> Raised:
    fields = body.model_dump()
    if key.role == Role.customer:
        fields["channel"] = Channel.PORTAL
    raised = service.raise_request(
        session=session,
        data=service.RequestData(**fields),
        actor=actor(key),
        now=datetime.now(UTC),
        customer_id=scope,
    )
    return Raised(
        request=RequestRead.model_validate(raised.request),
        work_order=document(raised.work_order),
    )


@router.get("", response_model=list[RequestRead], summary="Requests, newest first")
def list_requests(
    session: SessionDep,
    scope: CustomerScope,
    channel: Channel | None = None,
    work_order_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RequestRead]:
    rows = service.list_requests(
        session=session,
        customer_id=scope,
        channel=channel,
        work_order_id=work_order_id,
        limit=limit,
    )
    return [RequestRead.model_validate(r) for r in rows]


@router.get(
    "/{ref}",
    response_model=RequestRead,
    responses=_ERRORS,
    summary="One request by id or number (RQ-2026-000001)",
)
def get_request(ref: str, session: SessionDep, scope: CustomerScope) -> RequestRead:
    return RequestRead.model_validate(
        service.get_request(session=session, ref=ref, customer_id=scope)
    )
