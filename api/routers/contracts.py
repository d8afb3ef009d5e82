"""Contracts: warranty or paid, the assets they cover, the SLA plan, exclusions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status

from api.deps import CustomerScope, PathId, QueryId, RecordsKey, SessionDep
from customers import contracts
from customers.schemas import ContractCreate, ContractIn, ContractRead

router = APIRouter(prefix="/contracts", tags=["contracts"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such contract (or not yours)"},
    409: {"description": "The number is taken"},
    422: {"description": "Ends before it starts, or covers assets not at the customer's sites"},
}


def _data(body: ContractIn) -> contracts.ContractData:
    fields = body.model_dump()
    fields.pop("customer_id", None)
    return contracts.ContractData(**fields)


@router.get("", response_model=list[ContractRead], summary="Contracts by number")
def list_contracts(
    session: SessionDep, scope: CustomerScope, customer_id: QueryId = None
) -> list[ContractRead]:
    if scope is not None and customer_id not in (None, scope):
        return []
    rows = contracts.list_contracts(session=session, customer_id=scope or customer_id)
    return [ContractRead.model_validate(r) for r in rows]


@router.post(
    "",
    response_model=ContractRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Create a contract",
)
def create_contract(body: ContractCreate, session: SessionDep, key: RecordsKey) -> ContractRead:
    row = contracts.create_contract(
        session=session, customer_id=body.customer_id, data=_data(body), now=datetime.now(UTC)
    )
    return ContractRead.model_validate(row)


@router.get(
    "/{contract_id}", response_model=ContractRead, responses=_ERRORS, summary="One contract"
)
def get_contract(contract_id: PathId, session: SessionDep, scope: CustomerScope) -> ContractRead:
    row = contracts.get_contract(session=session, contract_id=contract_id, customer_id=scope)
    return ContractRead.model_validate(row)


@router.put("/{contract_id}", response_model=ContractRead, responses=_ERRORS, summary="Change")
def update_contract(
    contract_id: PathId, body: ContractIn, session: SessionDep, key: RecordsKey
) -> ContractRead:
    row = contracts.update_contract(session=session, contract_id=contract_id, data=_data(body))
    return ContractRead.model_validate(row)


@router.delete(
    "/{contract_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Delete a contract",
)
def delete_contract(contract_id: PathId, session: SessionDep, key: RecordsKey) -> Response:
    contracts.delete_contract(session=session, contract_id=contract_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
