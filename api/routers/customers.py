"""Customers with their contacts and tier (and its history). A customer key sees only its own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status

from api.deps import CustomerScope, PathId, RecordsKey, SessionDep, actor
from customers import service
from customers.errors import NotFound
from customers.schemas import (
    ContactIn,
    ContactRead,
    CustomerCreate,
    CustomerRead,
    CustomerUpdate,
    TierChangeRead,
    TierIn,
)

router = APIRouter(prefix="/customers", tags=["customers"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such customer (or not yours)"},
    409: {"description": "The name is taken, or the customer still has sites"},
}


def _own(customer_id: PathId, scope: int | None) -> None:
    if scope is not None and customer_id != scope:
        raise NotFound(f"no customer {customer_id}")


def _contact(data: ContactIn) -> service.ContactData:
    return service.ContactData(**data.model_dump())


@router.get("", response_model=list[CustomerRead], summary="Customers by name")
def list_customers(session: SessionDep, scope: CustomerScope) -> list[CustomerRead]:
    rows = service.list_customers(session=session, customer_id=scope)
    return [CustomerRead.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=CustomerRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Create a customer (with contacts)",
)
def create_customer(body: CustomerCreate, session: SessionDep, key: RecordsKey) -> CustomerRead:
    row = service.create_customer(
        session=session,
        name=body.name,
        tier=body.tier,
        contacts=[_contact(c) for c in body.contacts],
        actor=actor(key),
        now=datetime.now(UTC),
    )
    return CustomerRead.model_validate(row)


@router.get(
    "/{customer_id}", response_model=CustomerRead, responses=_ERRORS, summary="One customer"
)
def get_customer(customer_id: PathId, session: SessionDep, scope: CustomerScope) -> CustomerRead:
    _own(customer_id, scope)
    return CustomerRead.model_validate(
        service.get_customer(session=session, customer_id=customer_id)
    )


@router.put("/{customer_id}", response_model=CustomerRead, responses=_ERRORS, summary="Rename")
def rename_customer(
    customer_id: PathId, body: CustomerUpdate, session: SessionDep, key: RecordsKey
) -> CustomerRead:
    row = service.rename_customer(session=session, customer_id=customer_id, name=body.name)
    return CustomerRead.model_validate(row)


@router.delete(
    "/{customer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Delete a customer without sites",
)
def delete_customer(customer_id: PathId, session: SessionDep, key: RecordsKey) -> Response:
    service.delete_customer(session=session, customer_id=customer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/{customer_id}/tier",
    response_model=CustomerRead,
    responses=_ERRORS,
    summary="Set the tier (vip, standard, basic); kept in the history with who and why",
)
def set_tier(
    customer_id: PathId, body: TierIn, session: SessionDep, key: RecordsKey
) -> CustomerRead:
    row = service.set_tier(
        session=session,
        customer_id=customer_id,
        tier=body.tier,
        actor=actor(key),
        now=datetime.now(UTC),
        source=body.source,
        reason=body.reason,
    )
    return CustomerRead.model_validate(row)


@router.get(
    "/{customer_id}/tier-history",
    response_model=list[TierChangeRead],
    responses=_ERRORS,
    summary="Every tier the customer had: who set it, when, from what, why",
)
def tier_history(
    customer_id: PathId, session: SessionDep, scope: CustomerScope
) -> list[TierChangeRead]:
    _own(customer_id, scope)
    rows = service.tier_history(session=session, customer_id=customer_id)
    return [TierChangeRead.model_validate(r) for r in rows]


@router.post(
    "/{customer_id}/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Add a contact",
)
def add_contact(
    customer_id: PathId, body: ContactIn, session: SessionDep, key: RecordsKey
) -> ContactRead:
    row = service.add_contact(session=session, customer_id=customer_id, contact=_contact(body))
    return ContactRead.model_validate(row)


@router.put(
    "/{customer_id}/contacts/{contact_id}",
    response_model=ContactRead,
    responses=_ERRORS,
    summary="Change a contact",
)
def update_contact(
    customer_id: PathId, contact_id: PathId, body: ContactIn, session: SessionDep, key: RecordsKey
) -> ContactRead:
    row = service.update_contact(
        session=session, contact_id=contact_id, customer_id=customer_id, contact=_contact(body)
    )
    return ContactRead.model_validate(row)


@router.delete(
    "/{customer_id}/contacts/{contact_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Remove a contact",
)
def delete_contact(
    customer_id: PathId, contact_id: PathId, session: SessionDep, key: RecordsKey
) -> Response:
    service.delete_contact(session=session, contact_id=contact_id, customer_id=customer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
