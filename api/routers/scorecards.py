"""Engineer scorecards: one engineer's for a month, and every engineer's. Staff read all of them;
an engineer key reads its own engineer's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.deps import AnyKey, ConfigDep, CurrentKey, PathId, ReadSessionDep
from api.roles import Role
from customers.errors import NotFound
from reports.kpis import BadPeriod, Period, parse_period
from reports.scorecards.service import Scorecard, scorecards
from reports.scorecards.weights import Part

router = APIRouter(tags=["scorecards"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such engineer"},
    422: {"description": "A period that is not a month, quarter or range"},
}
PeriodQuery = Query(
    None,
    max_length=40,
    description="2026-11, 2026Q4 or 2026-11-03..2026-11-09; default: the last complete month",
    examples=["2026-11"],
)


class PartRead(BaseModel):
    part: Part
    label: str
    weight: float
    value: float | None
    basis: int
    stars: int | None


class ScorecardRead(BaseModel):
    engineer_id: int
    code: str
    name: str
    period: str
    stars: float | None
    full_stars: int
    parts: list[PartRead]

    @classmethod
    def of(cls, card: Scorecard) -> ScorecardRead:
        return cls(
            engineer_id=card.engineer_id,
            code=card.code,
            name=card.name,
            period=card.period,
            stars=card.stars,
            full_stars=card.full_stars,
            parts=[PartRead(**vars_of(p)) for p in card.parts],
        )


def vars_of(part: object) -> dict[str, Any]:
    return {name: getattr(part, name) for name in PartRead.model_fields}


def period_of(text: str | None, now: datetime) -> Period:
    """The named period, or the last complete month; 422 with what is accepted otherwise."""
    if text is None:
        first = now.astimezone(UTC).replace(day=1)
        text = f"{first - timedelta(days=1):%Y-%m}"
    try:
        return parse_period(text)
    except BadPeriod as error:
        raise HTTPException(422, detail=str(error)) from None


@router.get(
    "/scorecards",
    response_model=list[ScorecardRead],
    responses=_ERRORS,
    summary="Every engineer's scorecard for a period (default: the last complete month)",
)
def list_scorecards(
    session: ReadSessionDep, key: CurrentKey, config: ConfigDep, period: str | None = PeriodQuery
) -> list[ScorecardRead]:
    chosen = period_of(period, datetime.now(UTC))
    cards = scorecards(session=session, period=chosen, weights=config.scorecard_weights)
    return [ScorecardRead.of(c) for c in cards]


@router.get(
    "/engineers/{engineer_id}/scorecard",
    response_model=ScorecardRead,
    responses=_ERRORS,
    summary="One engineer's scorecard: each part in stars with its figure and weight",
)
def engineer_scorecard(
    engineer_id: PathId,
    session: ReadSessionDep,
    key: AnyKey,
    config: ConfigDep,
    period: str | None = PeriodQuery,
) -> ScorecardRead:
    if key.role == Role.customer or (key.role == Role.engineer and key.engineer_id != engineer_id):
        raise NotFound(f"no engineer {engineer_id}")
    chosen = period_of(period, datetime.now(UTC))
    cards = scorecards(
        session=session,
        period=chosen,
        weights=config.scorecard_weights,
        engineer_id=engineer_id,
    )
    if not cards:
        raise NotFound(f"no engineer {engineer_id}")
    return ScorecardRead.of(cards[0])
