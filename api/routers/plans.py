"""Preventive maintenance plans: CRUD, their occurrences, what comes next, and PM compliance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import AwareDatetime

from api.deps import CurrentKey, PathId, SessionDep, actor, require
from api.models import ApiKey
from api.roles import RECORDS
from planning import service
from planning.compliance import pm_compliance
from planning.models import OccurrenceStatus, Trigger
from planning.overview import overview
from planning.schemas import (
    ComplianceCounts,
    OccurrenceRead,
    PlanCreate,
    PlanOverview,
    PlanRead,
    PlanUpdate,
    UpcomingRead,
)

router = APIRouter(prefix="/plans", tags=["preventive plans"])
PlansKey = Annotated[ApiKey, Depends(require(RECORDS, "create or change preventive plans"))]
# Ids are 32-bit in the database: larger numbers are a 422, not a driver overflow.
QueryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such plan or asset"},
    409: {"description": "A plan of that name exists, or the plan has occurrences"},
    422: {"description": "Invalid plan: says which field and why"},
}


@router.get(
    "", response_model=list[PlanRead], responses=_ERRORS, summary="Preventive plans by name"
)
def list_plans(
    key: CurrentKey,
    session: SessionDep,
    active: bool | None = None,
    asset_id: QueryId = None,
    trigger: Trigger | None = None,
) -> list[PlanRead]:
    rows = service.list_plans(session=session, active=active, asset_id=asset_id, trigger=trigger)
    return [service.plan_read(session=session, plan=p) for p in rows]


@router.post(
    "",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Create a plan (calendar, running hours or condition)",
)
def create_plan(body: PlanCreate, key: PlansKey, session: SessionDep) -> PlanRead:
    plan = service.create_plan(session=session, data=body, actor=actor(key), now=datetime.now(UTC))
    return service.plan_read(session=session, plan=plan)


@router.get(
    "/upcoming",
    response_model=list[UpcomingRead],
    summary="Each asset's next due in each active plan, soonest first",
)
def upcoming(key: CurrentKey, session: SessionDep, plan_id: QueryId = None) -> list[UpcomingRead]:
    return service.upcoming(session=session, plan_id=plan_id)


@router.get(
    "/overview",
    response_model=list[PlanOverview],
    responses=_ERRORS,
    summary="Every plan with its soonest next due, last occurrence and PM compliance",
)
def plans_overview(
    key: CurrentKey,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=3660, description="PM compliance window")] = 365,
) -> list[PlanOverview]:
    return overview(session=session, now=datetime.now(UTC), days=days)


@router.get(
    "/occurrences",
    response_model=list[OccurrenceRead],
    responses=_ERRORS,
    summary="Occurrences of every plan, newest first",
)
def all_occurrences(
    key: CurrentKey,
    session: SessionDep,
    asset_id: QueryId = None,
    status_: Annotated[OccurrenceStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OccurrenceRead]:
    return service.list_occurrences(session=session, asset_id=asset_id, status=status_, limit=limit)


class ComplianceRead(ComplianceCounts):
    start: datetime
    end: datetime
    as_of: datetime


@router.get(
    "/compliance",
    response_model=ComplianceRead,
    responses=_ERRORS,
    summary="PM compliance: share of occurrences due in [start, end) done on time",
)
def compliance(
    key: CurrentKey,
    session: SessionDep,
    start: AwareDatetime,
    end: AwareDatetime,
    as_of: AwareDatetime | None = None,
    plan_id: QueryId = None,
    asset_type: Annotated[str | None, Query(max_length=100)] = None,
    site_id: QueryId = None,
    customer_id: QueryId = None,
) -> ComplianceRead:
    result = pm_compliance(
        session,
        start,
        end,
        as_of=as_of,
        plan_id=plan_id,
        asset_type=asset_type,
        site_id=site_id,
        customer_id=customer_id,
    )
    return ComplianceRead(
        start=start,
        end=end,
        as_of=as_of or end,
        on_time=result.on_time,
        due=result.due,
        late=result.late,
        missed=result.missed,
        pending=result.pending,
        share=result.share,
    )


@router.get("/{plan_id}", response_model=PlanRead, responses=_ERRORS, summary="One plan")
def get_plan(plan_id: PathId, key: CurrentKey, session: SessionDep) -> PlanRead:
    return service.plan_read(
        session=session, plan=service.get_plan(session=session, plan_id=plan_id)
    )


@router.patch(
    "/{plan_id}",
    response_model=PlanRead,
    responses=_ERRORS,
    summary="Change a plan (a changed schedule restarts from now; active: false stops it)",
)
def update_plan(plan_id: PathId, body: PlanUpdate, key: PlansKey, session: SessionDep) -> PlanRead:
    plan = service.update_plan(
        session=session, plan_id=plan_id, data=body, actor=actor(key), now=datetime.now(UTC)
    )
    return service.plan_read(session=session, plan=plan)


@router.delete(
    "/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Delete a plan that never made an occurrence (else deactivate it)",
)
def delete_plan(plan_id: PathId, key: PlansKey, session: SessionDep) -> Response:
    service.delete_plan(session=session, plan_id=plan_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{plan_id}/occurrences",
    response_model=list[OccurrenceRead],
    responses=_ERRORS,
    summary="A plan's occurrences, newest first",
)
def plan_occurrences(
    plan_id: PathId,
    key: CurrentKey,
    session: SessionDep,
    asset_id: QueryId = None,
    status_: Annotated[OccurrenceStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[OccurrenceRead]:
    return service.list_occurrences(
        session=session, plan_id=plan_id, asset_id=asset_id, status=status_, limit=limit
    )
