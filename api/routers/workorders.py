"""The ticketing system's API for work orders: pull with a cursor, read, and report back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import (
    AnyKey,
    CurrentKey,
    CurrentWorkOrder,
    IfMatch,
    IntegratorKey,
    ScopeDep,
    SessionDep,
    actor,
    require,
)
from api.models import ApiKey
from api.roles import INTEGRATE, Role
from field.stock import holds
from workorders import billing, browse, service
from workorders.models import (
    AuditRead,
    Priority,
    ResolutionCode,
    Status,
    WorkOrder,
    WorkOrderDocument,
    document,
)
from workorders.notices.models import NoticeRead
from workorders.notices.outbox import notices_of
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryRead

router = APIRouter(prefix="/work-orders", tags=["work orders"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such work order"},
    409: {"description": "The version in If-Match is stale: re-read and retry"},
    422: {"description": "Invalid input or a transition that is not allowed (names the allowed)"},
}


# The work-order document as the ticketing system receives it (docs/ticketing-integration.md).
EXAMPLE: dict[str, Any] = {
    "schema_version": 1,
    "id": "002a7bab-9675-417c-bc92-9702a3a6fff9",
    "number": "WO-2026-000001",
    "version": 3,
    "status": "acknowledged",
    "priority": "urgent",
    "asset": {
        "site": "plant-north",
        "asset": "pump-17",
        "asset_type": "pump",
        "customer": "plant-north",
        "customer_tier": "standard",
        "criticality": "medium",
        "site_id": 4,
        "customer_id": 2,
        "model": "KSB Etanorm 65-200",
        "serial_number": "KSB-2019-004417",
        "install_date": "2019-05-14",
    },
    "fault": {
        "kind": "equipment",
        "code": "mechanical",
        "title": "Mechanical degradation (vibration)",
        "detector": "degradation_trend",
        "model_version": "pump-trend-7",
        "score": 2.41,
        "threshold": 1.0,
        "top_metrics": {"vibration_rms": 0.71, "bearing_temperature": 0.18},
    },
    "detected_at": "2026-03-02T08:14:00Z",
    "created_at": "2026-03-02T08:15:00Z",
    "updated_at": "2026-03-02T08:22:00Z",
    "predicted_failure_at": "2026-03-04T12:15:00Z",
    "predicted_failure_low": "2026-03-03T20:40:00Z",
    "predicted_failure_high": "2026-03-05T09:30:00Z",
    "predicted_failure_source": "learned",
    "sla": {"respond_by": "2026-03-02T10:15:00Z", "on_site_by": "2026-03-03T08:15:00Z"},
    "suggested_actions": ["Check bearing lubrication and shaft alignment"],
    "suggested_parts": ["bearing set"],
    "assignee": None,
    "resolution": {
        "code": None,
        "notes": None,
        "parts_used": [],
        "csat": None,
        "accepted_by": None,
        "accepted_at": None,
        "no_acceptance_reason": None,
    },
    "follow_up": {"repeat_count": 0, "reopened_at": None, "verify_until": None},
    "external_ref": "INC0012345",
    "origin": {
        "channel": "alert",
        "channels": ["alert", "hotline"],
        "category": None,
        "billable": False,
        "billable_reason": "covered by paid contract SC-2026-014 (2026-01-01 to 2026-12-31)",
    },
    "classification": [
        "fault mechanical has severity 3 -> normal",
        "score 2.41 is at least twice the threshold 1.00 -> urgent",
    ],
}
_ONE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": EXAMPLE}}},
    **_ERRORS,
}


class WorkOrderPage(BaseModel):
    model_config = {
        "json_schema_extra": {"examples": [{"items": [EXAMPLE], "next_cursor": "eyJzIjogNDJ9"}]}
    }

    items: list[WorkOrderDocument]
    next_cursor: str = Field(
        description="Pass back as `cursor` for the next page, or later to get only what changed"
    )


class TransitionBody(BaseModel):
    to: Status = Field(examples=["dispatched"])
    note: str | None = Field(None, max_length=500, examples=["engineer J. Smith on the way"])


class ExternalRefBody(BaseModel):
    external_ref: str | None = Field(max_length=200, examples=["SN-INC0012345"])


class AssigneeBody(BaseModel):
    assignee: str | None = Field(max_length=200, examples=["j.smith"])


class ResolutionBody(BaseModel):
    code: ResolutionCode = Field(examples=["confirmed_fault"])
    notes: str | None = Field(None, max_length=5000, examples=["Replaced drive-end bearing"])
    parts_used: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=100, examples=[["bearing 6205-2RS"]]
    )
    no_acceptance_reason: str | None = Field(
        None,
        max_length=500,
        description="A repair (confirmed_fault) needs the customer's signature from the visit, "
        "or this: why there is none",
        examples=["site unattended, customer informed by phone"],
    )


class CsatBody(BaseModel):
    csat: int = Field(ge=1, le=5, examples=[5])


def _respond(wo: WorkOrder, response: Response) -> WorkOrderDocument:
    response.headers["ETag"] = f'"{wo.version}"'
    return document(wo)


@dataclass(frozen=True, slots=True)
class Change:
    """What every change of a work order needs from the request: the work order, the session,
    who changes it, the version they read (If-Match), and the response for the new ETag."""

    wo: WorkOrder
    session: Session
    key: ApiKey
    if_match: int | None
    response: Response

    def apply(self, change: Callable[..., WorkOrder], **fields: Any) -> WorkOrderDocument:
        who, now = actor(self.key), datetime.now(UTC)
        changed = change(
            session=self.session,
            work_order_id=self.wo.id,
            expected_version=self.if_match,
            actor=who,
            now=now,
            **fields,
        )
        # Resolved, closed or cancelled: the spare parts held for it go back at once (the
        # periodic sweep catches the other ways work ends).
        holds.release_if_done(session=self.session, wo=changed, actor=who, now=now)
        return _respond(changed, self.response)


def change(
    key: IntegratorKey,  # first: a role that may not change work orders learns nothing more
    wo: CurrentWorkOrder,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> Change:
    return Change(wo=wo, session=session, key=key, if_match=if_match, response=response)


FieldKey = Annotated[
    ApiKey, Depends(require(INTEGRATE | {Role.engineer}, "move or resolve work orders"))
]


def field_change(
    key: FieldKey,
    wo: CurrentWorkOrder,  # an engineer key finds only work assigned to it (404 otherwise)
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> Change:
    return Change(wo=wo, session=session, key=key, if_match=if_match, response=response)


ChangeDep = Annotated[Change, Depends(change)]
# Status and resolution: also the engineer the work is assigned to.
FieldChangeDep = Annotated[Change, Depends(field_change)]


@router.get("", response_model=WorkOrderPage, summary="Work orders in change order, with a cursor")
def list_work_orders(
    session: SessionDep,
    key: AnyKey,
    scope: ScopeDep,
    status: Status | None = None,
    priority: Priority | None = None,
    site: Annotated[str | None, Query(max_length=200)] = None,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    updated_since: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> WorkOrderPage:
    page = browse.list_work_orders(
        session=session,
        status=status,
        priority=priority,
        site=site,
        asset=asset,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
        customer_id=scope.customer_id,
        assignee=scope.engineer_code,
    )
    return WorkOrderPage(items=[document(wo) for wo in page.items], next_cursor=page.next_cursor)


@router.get(
    "/{ref}",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="One work order by id or number (WO-2026-000123); ETag carries its version",
)
def get_work_order(wo: CurrentWorkOrder, key: AnyKey, response: Response) -> WorkOrderDocument:
    return _respond(wo, response)


@router.get("/{ref}/audit", response_model=list[AuditRead], responses=_ERRORS, summary="Change log")
def audit(wo: CurrentWorkOrder, session: SessionDep, key: AnyKey) -> list[AuditRead]:
    rows = browse.audit_log(session=session, work_order_id=wo.id)
    return [AuditRead.model_validate(row) for row in rows]


@router.post(
    "/{ref}/transitions",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="Move along the lifecycle; send the version you read in If-Match",
)
def transition(body: TransitionBody, change: FieldChangeDep) -> WorkOrderDocument:
    return change.apply(service.transition, to=body.to, note=body.note)


@router.put(
    "/{ref}/external-ref",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="Set the ticketing system's own reference",
)
def set_external_ref(body: ExternalRefBody, change: ChangeDep) -> WorkOrderDocument:
    return change.apply(service.set_external_ref, external_ref=body.external_ref)


@router.put(
    "/{ref}/assignee", response_model=WorkOrderDocument, responses=_ERRORS, summary="Assign"
)
def set_assignee(body: AssigneeBody, change: ChangeDep) -> WorkOrderDocument:
    return change.apply(service.assign, assignee=body.assignee)


@router.put(
    "/{ref}/resolution",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="Record the outcome (resolves the work order); false_alarm and confirmed_fault "
    "become training labels",
)
def record_resolution(body: ResolutionBody, change: FieldChangeDep) -> WorkOrderDocument:
    return change.apply(
        service.record_resolution,
        code=body.code,
        notes=body.notes,
        parts_used=body.parts_used,
        no_acceptance_reason=body.no_acceptance_reason,
    )


@router.put(
    "/{ref}/csat",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="Record customer satisfaction (1-5) once resolved",
)
def record_csat(body: CsatBody, change: ChangeDep) -> WorkOrderDocument:
    return change.apply(service.record_csat, csat=body.csat)


class BillingBody(BaseModel):
    # The invoiced amount (a credit note negative), for the customer value analysis.
    amount: Decimal = Field(max_digits=12, decimal_places=2, examples=["1250.00"])


@router.put(
    "/{ref}/billing",
    response_model=WorkOrderDocument,
    responses=_ONE,
    summary="Record what the customer was invoiced for the work (a credit note: negative)",
)
def record_billing(body: BillingBody, change: ChangeDep) -> WorkOrderDocument:
    return change.apply(billing.record_billing, amount=body.amount)


@router.get(
    "/{ref}/deliveries",
    response_model=list[DeliveryRead],
    responses=_ERRORS,
    summary="Webhook delivery log of this work order, newest first",
)
def deliveries(wo: CurrentWorkOrder, session: SessionDep, key: CurrentKey) -> list[DeliveryRead]:
    rows = webhooks.list_deliveries(session=session, work_order_id=wo.id)
    return [DeliveryRead.of(row) for row in rows]


@router.get(
    "/{ref}/notices",
    response_model=list[NoticeRead],
    responses=_ERRORS,
    summary="What the customer was told of this work order's steps, by e-mail, oldest first",
)
def notices(wo: CurrentWorkOrder, session: SessionDep, key: CurrentKey) -> list[NoticeRead]:
    return [NoticeRead.model_validate(n) for n in notices_of(session=session, work_order_id=wo.id)]
