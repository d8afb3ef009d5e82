"""Plans: create, read, change, deactivate; their checklists; occurrences and what comes next.

Plain functions, session first; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import Asset
from ingest.metrics import CANONICAL_METRICS
from knowledge.models import Article, ArticleStatus
from planning.models import (
    SCORE_RATIO,
    Anchor,
    Direction,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
    PlanProgress,
    Trigger,
)
from planning.readings import COUNTER
from planning.schedule import due_date
from planning.schemas import OccurrenceRead, PlanCreate, PlanRead, PlanUpdate, UpcomingRead
from workorders.models import WorkOrder

# Counters only count up: a level on one is a running-hours plan, not a condition.
_COUNTERS = frozenset({COUNTER, "energy", "trips"})
CONDITION_METRICS = frozenset(set(CANONICAL_METRICS) - _COUNTERS | {SCORE_RATIO})
# What each trigger needs, and what it must not be given (a mix is a mistake worth saying).
_NEEDS: dict[Trigger, tuple[str, ...]] = {
    Trigger.CALENDAR: ("every", "unit"),
    Trigger.RUNNING_HOURS: ("interval_hours",),
    Trigger.CONDITION: ("metric", "direction", "level"),
}
_OWN: dict[Trigger, tuple[str, ...]] = {
    Trigger.CALENDAR: ("every", "unit", "anchor", "start_on", "lead_days"),
    Trigger.RUNNING_HOURS: ("interval_hours", "lead_hours", "first_due_hours"),
    Trigger.CONDITION: ("metric", "direction", "level", "clear_level", "for_readings"),
}
# Changing one of these restarts the plan's progress from the day (or counter) of the change.
_SCHEDULE = frozenset(f for fields in _OWN.values() for f in fields)


def _check(session: Session, data: PlanCreate) -> None:
    if (data.asset_id is None) == (data.asset_type is None):
        raise InvalidInput("give either asset_id (one asset) or asset_type (every asset of a type)")
    if data.asset_id is not None and session.get(Asset, data.asset_id) is None:
        raise NotFound(f"no asset {data.asset_id}")
    given = data.model_dump(exclude_none=True)
    missing = [f for f in _NEEDS[data.trigger] if f not in given]
    if missing:
        raise InvalidInput(f"a {data.trigger.value} plan needs {', '.join(missing)}")
    foreign = [
        f for t, fields in _OWN.items() if t is not data.trigger for f in fields if f in given
    ]
    if foreign:
        raise InvalidInput(f"a {data.trigger.value} plan has no {', '.join(foreign)}")
    if data.start_on is not None and not 2000 <= data.start_on.year <= 2100:
        raise InvalidInput("start_on must be a date from 2000 to 2100")
    if data.first_due_hours is not None and data.asset_id is None:
        raise InvalidInput("first_due_hours is one asset's counter: give asset_id, not asset_type")
    if data.trigger is Trigger.CONDITION:
        _check_condition(data)
    lead = (data.lead_hours or 0) if data.trigger is Trigger.RUNNING_HOURS else 0
    if data.interval_hours is not None and lead >= data.interval_hours:
        raise InvalidInput("lead_hours must be less than interval_hours")
    if data.trigger is Trigger.CALENDAR and data.lead_days and data.every and data.unit:
        days = data.every * (28 if data.unit.value == "months" else 1)
        if data.lead_days >= days:
            raise InvalidInput("lead_days must be shorter than the interval")
    if len(set(data.article_ids)) != len(data.article_ids):
        raise InvalidInput("article_ids names an article twice")
    for article_id in data.article_ids:
        article = session.get(Article, article_id)
        if article is None:
            raise InvalidInput(f"no knowledge-base article {article_id}")
        if article.status == ArticleStatus.ARCHIVED.value:
            raise InvalidInput(f"article {article_id} is archived: its steps are no longer advised")
    for step in data.steps:
        if not 0 < len(step.strip()) <= 500:
            raise InvalidInput("each checklist step has 1 to 500 characters")


def _check_condition(data: PlanCreate) -> None:
    assert data.metric is not None
    assert data.direction is not None
    assert data.level is not None
    if data.metric not in CONDITION_METRICS:
        hint = " (a counter: use a running_hours plan)" if data.metric in _COUNTERS else ""
        raise InvalidInput(
            f"unknown metric {data.metric!r}{hint}: use score_ratio or a canonical metric "
            f"({', '.join(sorted(CONDITION_METRICS - {SCORE_RATIO}))})"
        )
    clear = data.level if data.clear_level is None else data.clear_level
    above = data.direction is Direction.ABOVE
    if (above and clear > data.level) or (not above and clear < data.level):
        side = "at or below" if above else "at or above"
        raise InvalidInput(f"clear_level must be {side} the level for a plan {data.direction}")


def create_plan(
    *, session: Session, data: PlanCreate, actor: str, now: datetime
) -> MaintenancePlan:
    _check(session, data)
    if session.scalars(
        sa.select(MaintenancePlan.id).where(MaintenancePlan.name == data.name)
    ).first():
        raise Conflict(f"a plan named {data.name!r} exists")
    values = data.model_dump()
    if data.trigger is Trigger.CALENDAR:
        values["anchor"] = data.anchor or Anchor.FIXED
    if data.trigger is Trigger.CONDITION:
        values["clear_level"] = data.level if data.clear_level is None else data.clear_level
        values["for_readings"] = data.for_readings or 1
    plan = MaintenancePlan(**values, created_at=now, created_by=actor, updated_at=now)
    session.add(plan)
    session.flush()
    return plan


def get_plan(*, session: Session, plan_id: int) -> MaintenancePlan:
    plan = session.get(MaintenancePlan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    return plan


def list_plans(
    *,
    session: Session,
    active: bool | None = None,
    asset_id: int | None = None,
    trigger: Trigger | None = None,
) -> list[MaintenancePlan]:
    query = sa.select(MaintenancePlan).order_by(MaintenancePlan.name)
    if active is not None:
        query = query.where(MaintenancePlan.active.is_(active))
    if trigger is not None:
        query = query.where(MaintenancePlan.trigger == trigger)
    if asset_id is not None:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise NotFound(f"no asset {asset_id}")
        query = query.where(
            sa.or_(
                MaintenancePlan.asset_id == asset_id, MaintenancePlan.asset_type == asset.asset_type
            )
        )
    return list(session.scalars(query))


def _explain(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in error.errors()
    )


def _fields(plan: MaintenancePlan) -> dict[str, Any]:
    return {name: getattr(plan, name) for name in PlanCreate.model_fields}


def update_plan(
    *, session: Session, plan_id: int, data: PlanUpdate, actor: str, now: datetime
) -> MaintenancePlan:
    """Change what is given; the plan must still be valid. A changed schedule restarts every
    asset's progress from now (occurrences already made stay as they are)."""
    plan = get_plan(session=session, plan_id=plan_id)
    changes = data.model_dump(exclude_unset=True)
    try:
        merged = PlanCreate.model_validate(_fields(plan) | changes)
    except ValidationError as error:
        # A field set to null that the plan cannot do without (name, steps, active...): the
        # update's own schema lets null through to mean "clear", so say which one here.
        raise InvalidInput(_explain(error)) from None
    _check(session, merged)
    if (
        merged.name != plan.name
        and session.scalars(
            sa.select(MaintenancePlan.id).where(MaintenancePlan.name == merged.name)
        ).first()
    ):
        raise Conflict(f"a plan named {merged.name!r} exists")
    if any(getattr(plan, name) != value for name, value in changes.items() if name in _SCHEDULE):
        session.execute(sa.delete(PlanProgress).where(PlanProgress.plan_id == plan.id))
    if changes.get("active") is False and plan.active:
        _cancel_open(session, plan)
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.updated_at = now
    session.flush()
    return plan


def _cancel_open(session: Session, plan: MaintenancePlan) -> None:
    """A deactivated plan's open occurrences no longer count (their work orders stay open)."""
    session.execute(
        sa.update(Occurrence)
        .where(Occurrence.plan_id == plan.id, Occurrence.status == OccurrenceStatus.OPEN)
        .values(status=OccurrenceStatus.CANCELLED)
    )
    session.execute(sa.delete(PlanProgress).where(PlanProgress.plan_id == plan.id))


def delete_plan(*, session: Session, plan_id: int) -> None:
    """Only a plan that never made an occurrence; the others are history: deactivate them."""
    plan = get_plan(session=session, plan_id=plan_id)
    made = session.scalar(
        sa.select(sa.func.count()).select_from(Occurrence).where(Occurrence.plan_id == plan.id)
    )
    if made:
        raise Conflict(
            f"plan {plan.name!r} has {made} occurrence(s) that PM compliance counts: "
            "deactivate it instead (active: false)"
        )
    session.delete(plan)
    session.flush()


def checklist(*, session: Session, plan: MaintenancePlan) -> list[str]:
    """The fix steps of the plan's articles (in the plan's order), then its own steps."""
    steps: list[str] = []
    for article_id in plan.article_ids or []:
        article = session.get(Article, article_id)
        if article is not None and article.status != ArticleStatus.ARCHIVED.value:
            steps.extend(s for s in article.fix_steps if s not in steps)
    steps.extend(s for s in plan.steps or [] if s not in steps)
    return steps


def plan_read(*, session: Session, plan: MaintenancePlan) -> PlanRead:
    return PlanRead.model_validate(
        _fields(plan)
        | {
            "id": plan.id,
            "created_at": plan.created_at,
            "created_by": plan.created_by,
            "updated_at": plan.updated_at,
            "checklist": checklist(session=session, plan=plan),
        }
    )


def occurrence_read(row: Occurrence, number: str | None) -> OccurrenceRead:
    return OccurrenceRead(
        id=row.id,
        plan_id=row.plan_id,
        asset_id=row.asset_id,
        site=row.asset.site,
        asset=row.asset.asset,
        due_key=row.due_key,
        due_at=row.due_at,
        due_hours=row.due_hours,
        generated_at=row.generated_at,
        outcome=row.outcome,
        reason=row.reason,
        work_order_id=row.work_order_id,
        work_order_number=number,
        checklist=list(row.checklist or []),
        status=row.status,
        done_at=row.done_at,
        done_hours=row.done_hours,
    )


def list_occurrences(
    *,
    session: Session,
    plan_id: int | None = None,
    asset_id: int | None = None,
    status: OccurrenceStatus | None = None,
    limit: int = 200,
) -> list[OccurrenceRead]:
    """Newest first (by when they were generated)."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    if plan_id is not None:
        get_plan(session=session, plan_id=plan_id)
    query = (
        sa.select(Occurrence, WorkOrder.number)
        .outerjoin(WorkOrder, WorkOrder.id == Occurrence.work_order_id)
        .order_by(Occurrence.generated_at.desc(), Occurrence.id.desc())
    )
    if plan_id is not None:
        query = query.where(Occurrence.plan_id == plan_id)
    if asset_id is not None:
        query = query.where(Occurrence.asset_id == asset_id)
    if status is not None:
        query = query.where(Occurrence.status == status)
    return [occurrence_read(row, number) for row, number in session.execute(query.limit(limit))]


def upcoming(*, session: Session, plan_id: int | None = None) -> list[UpcomingRead]:
    """Each asset's next due in each active plan, soonest calendar date first."""
    query = (
        sa.select(PlanProgress, MaintenancePlan, Asset)
        .join(MaintenancePlan, MaintenancePlan.id == PlanProgress.plan_id)
        .join(Asset, Asset.id == PlanProgress.asset_id)
        .where(MaintenancePlan.active.is_(True))
    )
    if plan_id is not None:
        query = query.where(MaintenancePlan.id == plan_id)
    out: list[UpcomingRead] = []
    for progress, plan, asset in session.execute(query):
        waiting_for = None
        if progress.waiting:
            waiting_for = session.scalar(
                sa.select(WorkOrder.number)
                .join(Occurrence, Occurrence.work_order_id == WorkOrder.id)
                .where(
                    Occurrence.plan_id == plan.id,
                    Occurrence.asset_id == asset.id,
                    Occurrence.status == OccurrenceStatus.OPEN,
                )
                .order_by(Occurrence.id.desc())
                .limit(1)
            )
        out.append(
            UpcomingRead(
                plan_id=plan.id,
                plan=plan.name,
                asset_id=asset.id,
                site=asset.site,
                asset=asset.asset,
                trigger=plan.trigger,
                next_due_on=next_due_on(plan, progress),
                next_due_hours=None if progress.waiting else progress.next_due_hours,
                run_hours=progress.run_hours,
                waiting_for=waiting_for,
                armed=progress.armed if plan.trigger is Trigger.CONDITION else None,
            )
        )
    out.sort(key=lambda u: (u.next_due_on or date.max, u.plan, u.site, u.asset))
    return out


def next_due_on(plan: MaintenancePlan, progress: PlanProgress) -> date | None:
    """A calendar plan's next due date for one asset (None while waiting for completion)."""
    if plan.trigger is not Trigger.CALENDAR or progress.waiting or progress.anchor_on is None:
        return None
    assert plan.every is not None
    assert plan.unit is not None
    return due_date(progress.anchor_on, every=plan.every, unit=plan.unit, cycle=progress.cycle)
