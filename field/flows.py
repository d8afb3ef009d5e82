"""Dispatch: suggestions for a work order from the database, and sending an engineer.

Sending is guarded against two dispatchers picking the same engineer beyond capacity: the
engineer's row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions here
take the write lock when they begin) and the load is counted after the lock is held, so the
second dispatcher sees the first one's job and is refused if it filled the last slot.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field import service
from field.dispatch import (
    Absence,
    Candidate,
    Certification,
    Job,
    Level,
    Ranking,
    Skill,
    Suggestion,
    Weights,
    rank,
)
from field.geo import GeoPoint, TravelTime, straight_line
from field.models import ANY_FAULT, Dispatch, DispatchMode, DispatchRequirement, Engineer
from field.shifts import working_week
from field.sites import Locate, locate_site
from field.stock.holds import hold_for_dispatch
from workorders import service as workorders
from workorders.counters import lock_changes
from workorders.errors import Conflict, InvalidInput
from workorders.models import FINISHED, Status, WorkOrder
from workorders.notices import service as notices

# From these a work order may be (re)dispatched; the transition to "dispatched" is then made.
_TO_DISPATCHED = (Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED)
_REASSIGNABLE = (*_TO_DISPATCHED, Status.DISPATCHED)


@dataclass(frozen=True, slots=True)
class Scoring:
    """How suggestions are scored: weights, the travel-time function, where sites are."""

    weights: Weights = field(default_factory=Weights)
    travel_time: TravelTime = field(default_factory=straight_line)
    locate: Locate = locate_site


@dataclass(frozen=True, slots=True)
class Suggestions:
    work_order: WorkOrder
    requirement: DispatchRequirement
    ranking: Ranking
    engineers: dict[int, Engineer]


def _level(value: str) -> Level:
    return Level[value]


def candidate(
    engineer: Engineer,
    *,
    load: int,
    position: GeoPoint | None = None,
    position_label: str | None = None,
) -> Candidate:
    base = (
        GeoPoint(engineer.base_latitude, engineer.base_longitude)
        if engineer.base_latitude is not None and engineer.base_longitude is not None
        else None
    )
    return Candidate(
        id=engineer.id,
        name=engineer.name,
        level=_level(engineer.level),
        skills=tuple(
            Skill(s.asset_type, None if s.fault_code == ANY_FAULT else s.fault_code, s.level)
            for s in engineer.skills
        ),
        certifications=tuple(Certification(c.name, c.expires_on) for c in engineer.certifications),
        calendar=working_week(time_zone=engineer.time_zone, hours=engineer.working_hours),
        absences=tuple(Absence(a.starts_at, a.ends_at, a.reason) for a in engineer.absences),
        open_jobs=load,
        max_open_jobs=engineer.max_open_jobs,
        base=base,
        position=position,
        position_label=position_label,
    )


def _positions(
    session: Session, engineers: Sequence[Engineer], locate: Locate
) -> dict[int, tuple[GeoPoint, str]]:
    """Engineers at a job now (in progress): that job's site, when it has coordinates."""
    ids = [e.id for e in engineers]
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Dispatch.engineer_id, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Dispatch.work_order_id)
        .where(
            service.holds(),
            Dispatch.engineer_id.in_(ids),
            WorkOrder.status == Status.IN_PROGRESS,
        )
        .order_by(WorkOrder.on_site_at.desc(), WorkOrder.number)
    ).all()
    found: dict[int, tuple[GeoPoint, str]] = {}
    for engineer_id, wo in rows:
        if engineer_id in found:
            continue
        site = locate(session, wo)
        if site.location is not None:
            found[engineer_id] = (site.location, f"current job {wo.number} at {site.label}")
    return found


def job_for(wo: WorkOrder, requirement: DispatchRequirement, site_location: GeoPoint | None) -> Job:
    return Job(
        asset_type=wo.asset.asset_type,
        fault_code=wo.fault_code,
        site=site_location,
        on_site_by=wo.on_site_by,
        min_skill_level=requirement.min_skill_level,
        min_level=_level(requirement.min_level),
        certifications=tuple(requirement.certifications),
    )


@dataclass(frozen=True, slots=True)
class Team:
    """Every active engineer with their load and position, read once for many suggestions."""

    engineers: list[Engineer]
    loads: dict[int, int]
    positions: dict[int, tuple[GeoPoint, str]]


def read_team(*, session: Session, scoring: Scoring) -> Team:
    engineers = service.list_engineers(session=session)
    return Team(
        engineers,
        service.open_jobs(session=session),
        _positions(session, engineers, scoring.locate),
    )


def suggest(
    *,
    session: Session,
    work_order_id: uuid.UUID | str,
    now: datetime,
    scoring: Scoring = Scoring(),
    team: Team | None = None,
) -> Suggestions:
    """The ranking of every active engineer for one work order (finished ones are refused)."""
    wo = workorders.get_work_order(session=session, ref=work_order_id)
    if wo.status.value in FINISHED or wo.status is Status.RESOLVED:
        raise InvalidInput(f"{wo.number} is {wo.status.value}: nobody needs to be sent")
    requirement = service.requirement_for(session=session, asset_type=wo.asset.asset_type)
    site = scoring.locate(session, wo)
    team = team or read_team(session=session, scoring=scoring)
    # The current assignee's own job does not count against them when re-ranking it.
    current = _holding_dispatch(session, wo)
    candidates = []
    for e in team.engineers:
        position, label = team.positions.get(e.id, (None, None))
        own = 1 if current is not None and current.engineer_id == e.id else 0
        load = team.loads.get(e.id, 0) - own
        candidates.append(candidate(e, load=load, position=position, position_label=label))
    ranking = rank(
        job=job_for(wo, requirement, site.location),
        candidates=candidates,
        now=now,
        weights=scoring.weights,
        travel_time=scoring.travel_time,
        business_seconds=site.business_seconds,
    )
    return Suggestions(wo, requirement, ranking, {e.id: e for e in team.engineers})


def _holding_dispatch(session: Session, wo: WorkOrder) -> Dispatch | None:
    """The active dispatch if it still holds the work order (see ``service.holds``)."""
    found = _active_dispatch(session, wo.id)
    if found is None or wo.status.value not in service.HOLDING:
        return None
    return found if wo.reopened_at is None or found.at >= wo.reopened_at else None


def _active_dispatch(session: Session, work_order_id: uuid.UUID) -> Dispatch | None:
    return session.scalars(
        sa.select(Dispatch).where(
            Dispatch.work_order_id == work_order_id, Dispatch.active.is_(True)
        )
    ).first()


def _lock_engineer(session: Session, engineer_id: int) -> Engineer:
    engineer = session.scalars(
        sa.select(Engineer)
        .where(Engineer.id == engineer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if engineer is None:
        raise InvalidInput(f"no engineer {engineer_id}")
    return engineer


def dispatch(
    *,
    session: Session,
    work_order_id: uuid.UUID | str,
    engineer_id: int,
    actor: str,
    now: datetime,
    reason: str | None = None,
    mode: DispatchMode = DispatchMode.MANUAL,
    expected_version: int | None = None,
    scoring: Scoring = Scoring(),
) -> Dispatch:
    """Send an engineer: assign the work order to them and move it to dispatched.

    Refused (InvalidInput, with the reasons) when the engineer does not qualify; Conflict when
    they are at capacity, counted under the lock, or when ``expected_version`` is stale.
    """
    lock_changes(session=session)  # the work orders' lock order: the change counter first
    engineer = _lock_engineer(session, engineer_id)
    found = suggest(session=session, work_order_id=work_order_id, now=now, scoring=scoring)
    wo = found.work_order
    if expected_version is not None and expected_version != wo.version:
        raise Conflict(
            f"{wo.number} is at version {wo.version}, not {expected_version}: re-read it and retry",
            current_version=wo.version,
        )
    if wo.status not in _REASSIGNABLE:
        raise InvalidInput(
            f"{wo.number} is {wo.status.value}: only open, acknowledged, reopened or dispatched "
            "work can be dispatched"
        )
    chosen = next((s for s in found.ranking.suggestions if s.engineer_id == engineer.id), None)
    if chosen is None:
        excluded = next((x for x in found.ranking.excluded if x.engineer_id == engineer.id), None)
        why = "; ".join(excluded.reasons) if excluded else "the engineer is not active"
        message = f"cannot send {engineer.name} to {wo.number}: {why}"
        if excluded and any(r.startswith("at capacity") for r in excluded.reasons):
            raise Conflict(message)
        raise InvalidInput(message)
    previous = _active_dispatch(session, wo.id)
    if previous is not None:
        if previous.engineer_id == engineer.id and previous is _holding_dispatch(session, wo):
            raise InvalidInput(f"{engineer.name} is already dispatched to {wo.number}")
        previous.active = False
        session.flush()
    record = Dispatch(
        work_order_id=wo.id,
        engineer_id=engineer.id,
        at=now,
        actor=actor,
        mode=mode,
        reason=reason or _why(chosen),
        score=chosen.score,
        parts=[
            {"name": p.name, "value": round(p.value, 4), "weight": p.weight, "reason": p.reason}
            for p in chosen.parts
        ],
        active=True,
    )
    session.add(record)
    session.flush()
    workorders.assign(
        session=session,
        work_order_id=wo.id,
        assignee=engineer.code,
        expected_version=None,
        actor=actor,
        now=now,
    )
    if wo.status in _TO_DISPATCHED:
        workorders.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.DISPATCHED,
            expected_version=None,
            actor=actor,
            now=now,
            note=f"{mode.value} dispatch to {engineer.code}",
        )
    held = hold_for_dispatch(session=session, wo=wo, engineer_id=engineer.id, actor=actor, now=now)
    record.parts_held, record.parts_missing = held.reserved, held.missing
    session.flush()
    notices.on_the_way(
        session=session,
        wo=wo,
        dispatch_id=record.id,
        engineer=engineer.name,
        arrival=chosen.arrival,
        now=now,
    )
    return record


def _why(chosen: Suggestion) -> str:
    return f"score {chosen.score:.3f}: " + "; ".join(p.reason for p in chosen.parts)


def dispatches(*, session: Session, work_order_id: uuid.UUID) -> list[Dispatch]:
    """Every dispatch of a work order, oldest first (the active one is the current)."""
    return list(
        session.scalars(
            sa.select(Dispatch).where(Dispatch.work_order_id == work_order_id).order_by(Dispatch.id)
        )
    )
