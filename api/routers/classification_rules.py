"""The classification rules a service manager reads and changes (see docs/service-desk.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from api.deps import CurrentKey, PathId, RecordsKey, SessionDep, actor
from customers.models import Criticality
from workorders.models import Priority
from workorders.requests import rulebook
from workorders.requests.models import Category, Channel, Coverage, RuleRead
from workorders.requests.rules import Facts, classify
from workorders.requests.service import stored_rules

router = APIRouter(prefix="/classification-rules", tags=["classification rules"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such rule"},
    409: {"description": "The name is taken"},
    422: {"description": "A rule without any condition, or a bad field"},
}


class RuleIn(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "gas smell", "priority": "urgent", "words": ["gas", "smell of gas"]}
            ]
        }
    }

    name: str = Field(min_length=1, max_length=200)
    priority: Priority
    position: int = Field(100, ge=0, le=1_000_000)
    enabled: bool = True
    channel: Channel | None = None
    category: Category | None = None
    words: list[str] = Field(default_factory=list, max_length=200)
    criticality: Criticality | None = None
    coverage: Coverage | None = None


class TrialIn(BaseModel):
    category: Category
    description: str = Field(min_length=1, max_length=5000)
    criticality: Criticality = Criticality.MEDIUM
    channel: Channel = Channel.HOTLINE
    coverage: Coverage = Coverage.NONE


class TrialOut(BaseModel):
    priority: Priority
    reasons: list[str]


def _data(body: RuleIn) -> rulebook.RuleData:
    fields = body.model_dump()
    fields["words"] = tuple(fields["words"])
    return rulebook.RuleData(**fields)


@router.get("", response_model=list[RuleRead], summary="The rules in order")
def list_rules(session: SessionDep, key: CurrentKey) -> list[RuleRead]:
    return [RuleRead.model_validate(r) for r in rulebook.list_rules(session=session)]


@router.post(
    "",
    response_model=RuleRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Add a rule",
)
def create_rule(body: RuleIn, session: SessionDep, key: RecordsKey) -> RuleRead:
    row = rulebook.create_rule(
        session=session, data=_data(body), actor=actor(key), now=datetime.now(UTC)
    )
    return RuleRead.model_validate(row)


@router.post(
    "/try",
    response_model=TrialOut,
    summary="How the stored rules would classify a request (nothing is saved)",
)
def try_rules(body: TrialIn, session: SessionDep, key: CurrentKey) -> TrialOut:
    facts = Facts(
        category=body.category,
        text=body.description,
        criticality=body.criticality,
        channel=body.channel,
        coverage=body.coverage,
    )
    decided = classify(stored_rules(session), request=facts)
    return TrialOut(priority=decided.priority, reasons=decided.reasons)


@router.post(
    "/reset", response_model=list[RuleRead], summary="Replace every rule with the defaults"
)
def reset_rules(session: SessionDep, key: RecordsKey) -> list[RuleRead]:
    rows = rulebook.reset_rules(session=session, actor=actor(key), now=datetime.now(UTC))
    return [RuleRead.model_validate(r) for r in rows]


@router.put("/{rule_id}", response_model=RuleRead, responses=_ERRORS, summary="Change a rule")
def update_rule(rule_id: PathId, body: RuleIn, session: SessionDep, key: RecordsKey) -> RuleRead:
    row = rulebook.update_rule(
        session=session, rule_id=rule_id, data=_data(body), actor=actor(key), now=datetime.now(UTC)
    )
    return RuleRead.model_validate(row)


@router.delete(
    "/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS, summary="Delete"
)
def delete_rule(rule_id: PathId, session: SessionDep, key: RecordsKey) -> Response:
    rulebook.delete_rule(session=session, rule_id=rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
