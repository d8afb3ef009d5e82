"""Customer value (RFM): the month's scores with each customer's tier proposal, and the service
manager's decision on a proposal (accept, or override with a reason). Staff read; service
managers and admins decide."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentKey, PathId, RecordsKey, SessionDep, actor
from customers import service as customers
from customers import tiers
from customers.models import ProposalStatus, Tier
from reports.value import service
from reports.value.models import CustomerValue

router = APIRouter(tags=["customer value"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such customer or proposal"},
    409: {"description": "The proposal was decided already (or superseded)"},
    422: {"description": "An override without a reason, or a malformed period"},
}
Period = Query(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProposalRead(_Read):
    id: int
    customer_id: int
    period: str
    proposed: Tier
    tier_then: Tier
    value_class: str
    reason: str
    status: ProposalStatus
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decided_tier: Tier | None
    decision_reason: str | None


class ValueRead(_Read):
    customer_id: int
    period: str
    last_activity_on: date | None
    recency_days: int | None
    frequency: int
    monetary: Decimal
    r_score: int = Field(ge=1, le=5)
    f_score: int = Field(ge=1, le=5)
    m_score: int = Field(ge=1, le=5)
    value_class: str
    proposed_tier: Tier
    rules: dict[str, Any]


class CustomerValueRow(ValueRead):
    customer: str
    tier: Tier
    proposal: ProposalRead | None


class Decision(BaseModel):
    reason: str | None = Field(None, max_length=500, examples=["renewal under negotiation"])


class Override(BaseModel):
    tier: Tier
    reason: str = Field(min_length=1, max_length=500, examples=["strategic account"])


def rows_of(session: SessionDep, period: str | None) -> tuple[str | None, list[CustomerValueRow]]:
    """The month's value rows (default: the latest month analysed) with names and proposals."""
    period = period or service.latest_period(session=session)
    if period is None:
        return None, []
    proposals = {p.customer_id: p for p in tiers.list_proposals(session=session, period=period)}
    names = {c.id: c for c in customers.list_customers(session=session)}
    out = []
    for row in service.scores_of(session=session, period=period):
        customer = names[row.customer_id]
        proposal = proposals.get(row.customer_id)
        out.append(
            CustomerValueRow(
                **ValueRead.model_validate(row).model_dump(),
                customer=customer.name,
                tier=customer.tier,
                proposal=None if proposal is None else ProposalRead.model_validate(proposal),
            )
        )
    return period, out


@router.get(
    "/customer-value",
    response_model=list[CustomerValueRow],
    responses=_ERRORS,
    summary="Every customer's R, F and M scores, class and proposed tier for a month "
    "(default: the latest analysed)",
)
def list_values(
    session: SessionDep, key: CurrentKey, period: str | None = Period
) -> list[CustomerValueRow]:
    return rows_of(session, period)[1]


@router.get(
    "/customers/{customer_id}/value",
    response_model=list[ValueRead],
    responses=_ERRORS,
    summary="One customer's value analysis, month by month (newest first)",
)
def customer_value(customer_id: PathId, session: SessionDep, key: CurrentKey) -> list[ValueRead]:
    rows: list[CustomerValue] = service.history_of(session=session, customer_id=customer_id)
    return [ValueRead.model_validate(r) for r in rows]


@router.get(
    "/tier-proposals",
    response_model=list[ProposalRead],
    responses=_ERRORS,
    summary="Tier proposals of the value analysis (filter by status, month or customer)",
)
def list_proposals(
    session: SessionDep,
    key: CurrentKey,
    status: ProposalStatus | None = None,
    period: str | None = Period,
    customer_id: int | None = Query(None, ge=1, le=2**31 - 1),
) -> list[ProposalRead]:
    rows = tiers.list_proposals(
        session=session, customer_id=customer_id, period=period, status=status
    )
    return [ProposalRead.model_validate(r) for r in rows]


@router.post(
    "/tier-proposals/{proposal_id}/accept",
    response_model=ProposalRead,
    responses=_ERRORS,
    summary="Accept a pending proposal: the customer gets the proposed tier",
)
def accept(
    proposal_id: PathId, session: SessionDep, key: RecordsKey, body: Decision | None = None
) -> ProposalRead:
    row = tiers.decide(
        session=session,
        proposal_id=proposal_id,
        actor=actor(key),
        now=datetime.now(UTC),
        reason=None if body is None else body.reason,
    )
    return ProposalRead.model_validate(row)


@router.post(
    "/tier-proposals/{proposal_id}/override",
    response_model=ProposalRead,
    responses=_ERRORS,
    summary="Override a pending proposal with another tier (or keep the current one); "
    "the override holds while the analysis keeps proposing the same tier",
)
def override(
    proposal_id: PathId, body: Override, session: SessionDep, key: RecordsKey
) -> ProposalRead:
    proposal = tiers.get_proposal(session=session, proposal_id=proposal_id)
    if body.tier is proposal.proposed:
        raise HTTPException(422, detail=f"{body.tier.value} is the proposed tier: accept it")
    row = tiers.decide(
        session=session,
        proposal_id=proposal_id,
        actor=actor(key),
        now=datetime.now(UTC),
        tier=body.tier,
        reason=body.reason,
    )
    return ProposalRead.model_validate(row)
