"""Follow-up visits: the list with due dates, the overdue list, contacts with the customer, and
the contracts' first-year visit cadence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import CurrentKey, PathId, SessionDep, actor, require
from api.models import ApiKey
from api.roles import OPERATE
from followup.surveys import contacts, tasks
from followup.surveys.models import (
    ContactChannel,
    ContactRead,
    FollowUpTask,
    TaskRead,
    TaskStatus,
)

router = APIRouter(prefix="/follow-ups", tags=["follow-up visits"])
FollowUpKey = Annotated[ApiKey, Depends(require(OPERATE, "record follow-ups"))]
# Ids are 32-bit in the database: larger numbers are a 422, not a driver overflow.
QueryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such task, contract or contact"},
    422: {"description": "Invalid input"},
}


def _read(task: FollowUpTask, now: datetime) -> TaskRead:
    read = TaskRead.model_validate(task)
    read.overdue = task.status is TaskStatus.OPEN and task.due_at < now
    return read


@router.get("", response_model=list[TaskRead], summary="Follow-up tasks by due date")
def list_tasks(
    key: CurrentKey,
    session: SessionDep,
    status_: Annotated[TaskStatus | None, Query(alias="status")] = TaskStatus.OPEN,
    due_before: AwareDatetime | None = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    customer_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TaskRead]:
    now = datetime.now(UTC)
    rows = tasks.list_tasks(
        session=session,
        now=now,
        status=status_,
        due_before=due_before,
        assignee=assignee,
        customer_id=customer_id,
        limit=limit,
    )
    return [_read(t, now) for t in rows]


@router.get("/overdue", response_model=list[TaskRead], summary="Open tasks past their due time")
def overdue(
    key: CurrentKey,
    session: SessionDep,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[TaskRead]:
    now = datetime.now(UTC)
    rows = tasks.list_tasks(session=session, now=now, overdue=True, assignee=assignee, limit=limit)
    return [_read(t, now) for t in rows]


@router.get("/{task_id}", response_model=TaskRead, responses=_ERRORS, summary="One task")
def get_task(task_id: PathId, key: CurrentKey, session: SessionDep) -> TaskRead:
    return _read(tasks.get_task(session=session, task_id=task_id), datetime.now(UTC))


class TaskChange(BaseModel):
    assignee: str | None = Field(default=None, max_length=200)
    status: TaskStatus | None = Field(default=None, description="done or cancelled")


@router.patch(
    "/{task_id}", response_model=TaskRead, responses=_ERRORS, summary="Assign or finish a task"
)
def change_task(
    task_id: PathId, body: TaskChange, key: FollowUpKey, session: SessionDep
) -> TaskRead:
    now = datetime.now(UTC)
    if "assignee" in body.model_fields_set:
        tasks.assign(session=session, task_id=task_id, assignee=body.assignee)
    if body.status is not None:
        tasks.finish(session=session, task_id=task_id, status=body.status, now=now)
    return _read(tasks.get_task(session=session, task_id=task_id), now)


class ContactIn(BaseModel):
    at: AwareDatetime = Field(description="When the contact took place")
    channel: ContactChannel
    made_by: str = Field(min_length=1, max_length=200, description="Who contacted the customer")
    summary: str = Field(min_length=1, max_length=5000, description="What was said")
    contact_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The customer's contact on record"
    )
    spoke_with: str | None = Field(default=None, max_length=200)
    done: bool = Field(default=False, description="This contact completes the task")


@router.post(
    "/{task_id}/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Record a contact with the customer (time, channel, who, what was said)",
)
def record_contact(
    task_id: PathId, body: ContactIn, key: FollowUpKey, session: SessionDep
) -> ContactRead:
    row = contacts.record_contact(
        session=session,
        task_id=task_id,
        data=contacts.ContactData(**body.model_dump()),
        actor=actor(key),
        now=datetime.now(UTC),
    )
    return ContactRead.model_validate(row)


@router.get(
    "/{task_id}/contacts",
    response_model=list[ContactRead],
    responses=_ERRORS,
    summary="The contacts recorded for a task, oldest first",
)
def list_contacts(task_id: PathId, key: CurrentKey, session: SessionDep) -> list[ContactRead]:
    rows = contacts.list_contacts(session=session, task_id=task_id)
    return [ContactRead.model_validate(r) for r in rows]


class CadenceIO(BaseModel):
    first_year_months: int = Field(
        description="Visits every 3 (quarterly) or 6 (half-yearly) months in the first year; "
        "yearly after it",
        examples=[3],
    )


@router.get(
    "/contracts/{contract_id}/cadence",
    response_model=CadenceIO,
    responses=_ERRORS,
    summary="A contract's first-year visit cadence (6 months unless set)",
)
def get_cadence(contract_id: PathId, key: CurrentKey, session: SessionDep) -> CadenceIO:
    return CadenceIO(
        first_year_months=contacts.cadence_of(session=session, contract_id=contract_id)
    )


@router.put(
    "/contracts/{contract_id}/cadence",
    response_model=CadenceIO,
    responses=_ERRORS,
    summary="Set a contract's first-year visit cadence",
)
def set_cadence(
    contract_id: PathId, body: CadenceIO, key: FollowUpKey, session: SessionDep
) -> CadenceIO:
    row = contacts.set_cadence(
        session=session,
        contract_id=contract_id,
        first_year_months=body.first_year_months,
        actor=actor(key),
        now=datetime.now(UTC),
    )
    return CadenceIO(first_year_months=row.first_year_months)
