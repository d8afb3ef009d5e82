"""SLA plans (read by everyone on the staff, edited by service managers), what is at risk now,
and each work order's SLA clock: its log and milestones, pause, resume and reclassification."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from api.deps import CurrentWorkOrder, IfMatch, PathId, SessionDep, actor, require
from api.models import ApiKey
from api.roles import Role
from api.routers.workorders import Change
from workorders.errors import InvalidInput
from workorders.models import Priority, Status, WorkOrderDocument
from workorders.sla import flows, plans
from workorders.sla import service as sla
from workorders.sla.models import ClockKind, PauseReason, PlanIn, PlanRead
from workorders.sla.risk import at_risk

router = APIRouter(prefix="/sla", tags=["SLA"])
clock_router = APIRouter(prefix="/work-orders", tags=["SLA"])


def _roles(*names: str) -> frozenset[Role]:
    # Roles named here that this build does not have yet are simply left out.
    return frozenset(r for r in Role if r.value in names)


# Everyone on the staff reads plans; a customer's key (when that role exists) does not.
STAFF = frozenset(r for r in Role if r.value not in ("customer",))
# The at-risk list shows everybody's work: not for engineers (they see their own work only).
RISK_READERS = frozenset(r for r in STAFF if r.value != "engineer")
PLAN_EDITORS = _roles("admin", "service_manager")
# The ticketing system may pause too (its "waiting for customer" states).
DESK = _roles("admin", "operator", "integrator", "dispatcher", "service_manager")

StaffKey = Annotated[ApiKey, Depends(require(STAFF, "read SLA plans and clocks"))]
RiskKey = Annotated[ApiKey, Depends(require(RISK_READERS, "list the work at risk"))]
PlanEditorKey = Annotated[ApiKey, Depends(require(PLAN_EDITORS, "edit SLA plans"))]
DeskKey = Annotated[ApiKey, Depends(require(DESK, "pause, resume or reclassify work"))]

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such plan or work order"},
    409: {"description": "Name taken, or the version in If-Match is stale"},
    422: {"description": "Invalid plan or request (the message says what to fix)"},
}


@router.get("/plans", response_model=list[PlanRead], summary="SLA plans")
def list_plans(session: SessionDep, key: StaffKey) -> list[PlanRead]:
    return [plans.read(p) for p in plans.list_plans(session=session)]


@router.get("/plans/{plan_id}", response_model=PlanRead, responses=_ERRORS, summary="One SLA plan")
def get_plan(plan_id: PathId, session: SessionDep, key: StaffKey) -> PlanRead:
    return plans.read(plans.get_plan(session=session, plan_id=plan_id))


@router.post(
    "/plans",
    response_model=PlanRead,
    status_code=201,
    responses=_ERRORS,
    summary="Create an SLA plan (targets for every priority and tier, in business minutes)",
)
def create_plan(body: PlanIn, session: SessionDep, key: PlanEditorKey) -> PlanRead:
    plan = plans.create_plan(session=session, data=body, actor=actor(key), now=datetime.now(UTC))
    return plans.read(plan)


@router.put(
    "/plans/{plan_id}",
    response_model=PlanRead,
    responses=_ERRORS,
    summary="Edit an SLA plan (the open work counting with it is recomputed at once)",
)
def update_plan(plan_id: PathId, body: PlanIn, session: SessionDep, key: PlanEditorKey) -> PlanRead:
    now = datetime.now(UTC)
    plan = plans.update_plan(session=session, plan_id=plan_id, data=body, actor=actor(key), now=now)
    flows.plan_edited(session=session, plan_id=plan.id, actor=actor(key), now=now)
    return plans.read(plan)


class AtRiskRead(BaseModel):
    number: str
    priority: Priority
    status: Status
    site: str
    asset: str
    assignee: str | None
    clock: ClockKind
    deadline: datetime
    level: int = Field(description="Highest escalation level reached: 50, 75 or 100 (overdue)")
    overdue: bool
    business_minutes_left: float = Field(
        description="In the site's calendar; negative when overdue"
    )
    paused_since: datetime | None
    told: list[str]


@router.get(
    "/at-risk", response_model=list[AtRiskRead], summary="Deadlines at risk now, overdue first"
)
def list_at_risk(
    session: SessionDep,
    key: RiskKey,
    min_level: Annotated[int, Query(ge=0, le=100)] = 50,
) -> list[AtRiskRead]:
    rows = at_risk(session=session, now=datetime.now(UTC), min_level=min_level)
    return [
        AtRiskRead(
            number=r.number,
            priority=r.priority,
            status=r.status,
            site=r.site,
            asset=r.asset,
            assignee=r.assignee,
            clock=r.clock,
            deadline=r.deadline,
            level=r.level,
            overdue=r.overdue,
            business_minutes_left=round(r.business_seconds_left / 60, 1),
            paused_since=r.paused_since,
            told=r.told,
        )
        for r in rows
    ]


class ClockEventRead(BaseModel):
    kind: str
    at: datetime
    actor: str
    reason: str | None
    resume_at: datetime | None
    priority: Priority | None
    customer_tier: str | None
    plan_id: int | None


class MilestoneRead(BaseModel):
    clock: ClockKind
    level: int
    due_at: datetime
    fired_at: datetime | None
    told: list[str]


class ClockRead(BaseModel):
    clock_version: int
    respond_by: datetime
    on_site_by: datetime
    resolve_by: datetime | None
    paused_since: datetime | None
    pause_reason: str | None
    resume_at: datetime | None
    log: list[ClockEventRead]
    milestones: list[MilestoneRead]


@clock_router.get(
    "/{ref}/sla",
    response_model=ClockRead,
    responses=_ERRORS,
    summary="The SLA clock: its event log and this version's milestones",
)
def get_clock(wo: CurrentWorkOrder, session: SessionDep, key: StaffKey) -> ClockRead:
    return ClockRead(
        clock_version=wo.sla_clock_version,
        respond_by=wo.respond_by,
        on_site_by=wo.on_site_by,
        resolve_by=wo.resolve_by,
        paused_since=wo.sla_paused_since,
        pause_reason=wo.sla_pause_reason,
        resume_at=wo.sla_resume_at,
        log=[
            ClockEventRead(
                kind=e.kind.value,
                at=e.at,
                actor=e.actor,
                reason=e.reason,
                resume_at=e.resume_at,
                priority=e.priority,
                customer_tier=e.customer_tier.value if e.customer_tier else None,
                plan_id=e.plan_id,
            )
            for e in sla.log(session=session, wo_id=wo.id)
        ],
        milestones=[
            MilestoneRead(
                clock=m.clock, level=m.level, due_at=m.due_at, fired_at=m.fired_at, told=m.told
            )
            for m in sla.milestones(session=session, wo=wo)
        ],
    )


def desk_change(
    key: DeskKey,  # first: a role that may not run the desk learns nothing more
    wo: CurrentWorkOrder,
    session: SessionDep,
    if_match: IfMatch,
    response: Response,
) -> Change:
    return Change(wo=wo, session=session, key=key, if_match=if_match, response=response)


DeskChange = Annotated[Change, Depends(desk_change)]


class PauseBody(BaseModel):
    reason: PauseReason
    resume_at: datetime | None = Field(None, description="Resume by itself then (else by hand)")


class PriorityBody(BaseModel):
    priority: Priority
    reason: str = Field(min_length=1, max_length=500, examples=["caller reports smoke"])


@clock_router.post(
    "/{ref}/sla/pause",
    response_model=WorkOrderDocument,
    responses=_ERRORS,
    summary="Pause the SLA clock (waiting for the customer or for parts)",
)
def pause(body: PauseBody, change: DeskChange) -> WorkOrderDocument:
    if body.resume_at is not None and body.resume_at.tzinfo is None:
        raise InvalidInput("resume_at needs a time zone (e.g. 2026-03-02T09:00:00Z)")
    return change.apply(flows.pause, reason=body.reason, resume_at=body.resume_at)


@clock_router.post(
    "/{ref}/sla/resume",
    response_model=WorkOrderDocument,
    responses=_ERRORS,
    summary="Resume the SLA clock by hand",
)
def resume(change: DeskChange) -> WorkOrderDocument:
    return change.apply(flows.resume)


@clock_router.post(
    "/{ref}/priority",
    response_model=WorkOrderDocument,
    responses=_ERRORS,
    summary="Reclassify by hand, with the reason; every deadline is recomputed",
)
def reclassify(body: PriorityBody, change: DeskChange) -> WorkOrderDocument:
    return change.apply(flows.reclassify, priority=body.priority, reason=body.reason)
