"""Engineers: records (skills, certifications, working week, absences, capacity), what each
asset type requires of them, and their task lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status

from api.deps import AnyKey, CurrentKey, ScopeDep, SessionDep, require
from api.models import ApiKey
from api.roles import DISPATCH, Role
from field import service
from field.flows import Scoring
from field.schemas import (
    MAX_ID,
    AbsenceIn,
    AbsenceRead,
    EngineerCreate,
    EngineerRead,
    EngineerUpdate,
    RequirementIn,
    RequirementRead,
    TaskRead,
)
from field.tasks import task_list

router = APIRouter(tags=["engineers"])
DispatcherKey = Annotated[ApiKey, Depends(require(DISPATCH, "edit engineers or dispatch work"))]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such engineer"}}


def get_scoring(request: Request) -> Scoring:
    scoring: Scoring = request.app.state.scoring
    return scoring


ScoringDep = Annotated[Scoring, Depends(get_scoring)]


@router.get("/engineers", response_model=list[EngineerRead], summary="Engineers, by id")
def list_engineers(
    session: SessionDep, key: CurrentKey, include_inactive: bool = False
) -> list[EngineerRead]:
    engineers = service.list_engineers(session=session, include_inactive=include_inactive)
    loads = service.open_jobs(session=session)
    return [service.read(session=session, engineer=e, load=loads.get(e.id, 0)) for e in engineers]


@router.post(
    "/engineers",
    response_model=EngineerRead,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The code is taken"}},
    summary="Register an engineer",
)
def create_engineer(body: EngineerCreate, key: DispatcherKey, session: SessionDep) -> EngineerRead:
    engineer = service.create_engineer(session=session, data=body, now=datetime.now(UTC))
    return service.read(session=session, engineer=engineer, load=0)


@router.get(
    "/engineers/{ref}",
    response_model=EngineerRead,
    responses=_NOT_FOUND,
    summary="One engineer by id or code",
)
def get_engineer(ref: str, key: CurrentKey, session: SessionDep) -> EngineerRead:
    return service.read(session=session, engineer=service.get_engineer(session=session, ref=ref))


@router.patch(
    "/engineers/{ref}",
    response_model=EngineerRead,
    responses=_NOT_FOUND,
    summary="Change an engineer; skills and certifications, when given, replace the lists",
)
def update_engineer(
    ref: str, body: EngineerUpdate, key: DispatcherKey, session: SessionDep
) -> EngineerRead:
    engineer = service.get_engineer(session=session, ref=ref)
    changed = service.update_engineer(
        session=session, engineer_id=engineer.id, data=body, now=datetime.now(UTC)
    )
    return service.read(session=session, engineer=changed)


@router.delete(
    "/engineers/{ref}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="Retire an engineer (kept for the history of their dispatches; no longer suggested)",
)
def retire_engineer(ref: str, key: DispatcherKey, session: SessionDep) -> Response:
    engineer = service.get_engineer(session=session, ref=ref)
    service.update_engineer(
        session=session,
        engineer_id=engineer.id,
        data=EngineerUpdate(active=False),
        now=datetime.now(UTC),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/engineers/{ref}/absences",
    response_model=AbsenceRead,
    status_code=status.HTTP_201_CREATED,
    responses=_NOT_FOUND,
    summary="Record leave (from, to, reason): never suggested while on leave",
)
def add_absence(ref: str, body: AbsenceIn, key: DispatcherKey, session: SessionDep) -> AbsenceRead:
    engineer = service.get_engineer(session=session, ref=ref)
    absence = service.add_absence(
        session=session, engineer_id=engineer.id, data=body, now=datetime.now(UTC)
    )
    return AbsenceRead.model_validate(absence)


@router.delete(
    "/engineers/{ref}/absences/{absence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="Remove a recorded absence",
)
def remove_absence(
    ref: str,
    absence_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    key: DispatcherKey,
    session: SessionDep,
) -> Response:
    engineer = service.get_engineer(session=session, ref=ref)
    service.remove_absence(
        session=session, engineer_id=engineer.id, absence_id=absence_id, now=datetime.now(UTC)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def tasks_of(session: SessionDep, scoring: Scoring, ref: str) -> list[TaskRead]:
    engineer = service.get_engineer(session=session, ref=ref)
    return [
        TaskRead(
            order=t.order,
            work_order_id=t.work_order.id,
            number=t.work_order.number,
            status=t.work_order.status.value,
            priority=t.work_order.priority.value,
            site=t.site,
            asset=t.work_order.asset.asset,
            fault_title=t.work_order.fault_title,
            respond_by=t.work_order.respond_by,
            on_site_by=t.work_order.on_site_by,
            distance_km=t.distance_km,
        )
        for t in task_list(session=session, engineer=engineer, locate=scoring.locate)
    ]


@router.get(
    "/engineers/{ref}/tasks",
    response_model=list[TaskRead],
    responses=_NOT_FOUND,
    summary="The engineer's open work in route order, with SLA deadlines",
)
def engineer_tasks(
    ref: str, key: AnyKey, scope: ScopeDep, session: SessionDep, scoring: ScoringDep
) -> list[TaskRead]:
    if key.role == Role.customer:
        raise HTTPException(403, detail="role 'customer' may not read engineers' task lists")
    if scope.engineer_code is not None:
        # An engineer key reads its own list only (another engineer's: as if it did not exist).
        engineer = service.get_engineer(session=session, ref=ref)
        if engineer.code != scope.engineer_code:
            raise HTTPException(404, detail=f"no engineer {ref!r}")
    return tasks_of(session, scoring, ref)


@router.get(
    "/me/tasks",
    response_model=list[TaskRead],
    responses={403: {"description": "Not an engineer key"}},
    summary="An engineer key's own open work in route order, with SLA deadlines",
)
def my_tasks(key: AnyKey, session: SessionDep, scoring: ScoringDep) -> list[TaskRead]:
    if key.role != Role.engineer:
        raise HTTPException(
            403,
            detail=f"role '{key.role}' has no task list of its own: only an engineer key has one "
            "(staff read GET /api/v1/engineers/{id}/tasks)",
        )
    if key.engineer_id is None:
        return []  # its engineer was removed since: nothing is theirs
    return tasks_of(session, scoring, str(key.engineer_id))


@router.get(
    "/dispatch-requirements",
    response_model=list[RequirementRead],
    summary="What work on each asset type requires of an engineer",
)
def list_requirements(key: CurrentKey, session: SessionDep) -> list[RequirementRead]:
    return [RequirementRead.model_validate(r) for r in service.list_requirements(session=session)]


@router.put(
    "/dispatch-requirements/{asset_type}",
    response_model=RequirementRead,
    summary="Set the minimum skill level, engineer level and certifications for an asset type",
)
def set_requirement(
    asset_type: str, body: RequirementIn, key: DispatcherKey, session: SessionDep
) -> RequirementRead:
    row = service.set_requirement(session=session, asset_type=asset_type, data=body)
    return RequirementRead.model_validate(row)
