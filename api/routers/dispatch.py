"""Dispatch suggestions for a work order, and sending an engineer from them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentKey, CurrentWorkOrder, IfMatch, SessionDep, actor
from api.routers.engineers import DispatcherKey, ScoringDep
from field import flows
from field.schemas import (
    DispatchIn,
    DispatchRead,
    ExcludedRead,
    PartRead,
    RequirementRead,
    SuggestionRead,
    SuggestionsRead,
)

router = APIRouter(prefix="/work-orders", tags=["dispatch"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such work order"},
    409: {"description": "The engineer is at capacity, or If-Match is stale"},
    422: {"description": "The engineer does not qualify (the reasons are given), or bad input"},
}


def _minutes(value: Any) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


@router.get(
    "/{ref}/dispatch-suggestions",
    response_model=SuggestionsRead,
    responses=_ERRORS,
    summary="Qualified engineers ranked by skill, travel, load and SLA slack, with the reasons",
)
def suggestions(
    wo: CurrentWorkOrder,
    key: CurrentKey,
    session: SessionDep,
    scoring: ScoringDep,
    limit: Annotated[int, Query(ge=1, le=50, description="Best suggestions shown")] = 5,
) -> SuggestionsRead:
    found = flows.suggest(
        session=session, work_order_id=wo.id, now=datetime.now(UTC), scoring=scoring
    )
    engineers = found.engineers
    ranking = found.ranking
    return SuggestionsRead(
        work_order_id=wo.id,
        number=wo.number,
        on_site_by=wo.on_site_by,
        requirement=RequirementRead.model_validate(found.requirement),
        suggestions=[
            SuggestionRead(
                engineer_id=s.engineer_id,
                code=engineers[s.engineer_id].code,
                name=s.name,
                score=s.score,
                parts=[
                    PartRead(name=p.name, value=round(p.value, 4), weight=p.weight, reason=p.reason)
                    for p in s.parts
                ],
                available_from=s.available_from,
                arrival=s.arrival,
                distance_km=s.distance_km,
                travel_minutes=_minutes(s.travel),
                slack_minutes=_minutes(s.slack),
            )
            for s in ranking.suggestions[:limit]
        ],
        excluded=[
            ExcludedRead(
                engineer_id=x.engineer_id,
                code=engineers[x.engineer_id].code,
                name=x.name,
                reasons=list(x.reasons),
            )
            for x in ranking.excluded
        ],
        no_candidate=ranking.no_candidate,
        notes=list(ranking.notes),
    )


@router.post(
    "/{ref}/dispatch",
    response_model=DispatchRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Send an engineer: assigns the work order to them and moves it to dispatched",
)
def dispatch(
    body: DispatchIn,
    key: DispatcherKey,
    wo: CurrentWorkOrder,
    session: SessionDep,
    scoring: ScoringDep,
    if_match: IfMatch,
    response: Response,
) -> DispatchRead:
    record = flows.dispatch(
        session=session,
        work_order_id=wo.id,
        engineer_id=body.engineer_id,
        actor=actor(key),
        now=datetime.now(UTC),
        reason=body.reason,
        expected_version=if_match,
        scoring=scoring,
    )
    response.headers["ETag"] = f'"{wo.version}"'
    return DispatchRead.model_validate(record)


@router.get(
    "/{ref}/dispatches",
    response_model=list[DispatchRead],
    responses=_ERRORS,
    summary="Every dispatch of the work order, oldest first (active: the current one)",
)
def list_dispatches(
    wo: CurrentWorkOrder, key: CurrentKey, session: SessionDep
) -> list[DispatchRead]:
    return [
        DispatchRead.model_validate(d)
        for d in flows.dispatches(session=session, work_order_id=wo.id)
    ]
