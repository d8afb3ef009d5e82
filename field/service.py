"""Engineer records: plain functions, session first; the caller commits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from field.models import (
    Dispatch,
    DispatchRequirement,
    Engineer,
    EngineerAbsence,
    EngineerCertification,
    EngineerLevel,
    EngineerSkill,
)
from field.schemas import (
    MAX_ID,
    AbsenceIn,
    BaseRead,
    CertificationIn,
    EngineerCreate,
    EngineerRead,
    EngineerUpdate,
    RequirementIn,
    SkillIn,
)
from workorders.errors import Conflict, InvalidInput, NotFound
from workorders.models import Status, WorkOrder

# A dispatched engineer still holds the job until the repair is done (resolved or later).
HOLDING = (
    Status.OPEN.value,
    Status.ACKNOWLEDGED.value,
    Status.DISPATCHED.value,
    Status.IN_PROGRESS.value,
    Status.REOPENED.value,
)


def holds() -> sa.ColumnElement[bool]:
    """The dispatch holds its work order (join both): it is the active one, made since the work
    order was last reopened (a repeat repair is dispatched afresh), and the repair is not done."""
    return sa.and_(
        Dispatch.active.is_(True),
        WorkOrder.status.in_(HOLDING),
        sa.or_(WorkOrder.reopened_at.is_(None), Dispatch.at >= WorkOrder.reopened_at),
    )


def get_engineer(*, session: Session, ref: int | str) -> Engineer:
    """By id, or by code (``a.martin``)."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdecimal()):
        found = session.get(Engineer, int(ref)) if int(ref) <= MAX_ID else None
    else:
        found = session.scalars(sa.select(Engineer).where(Engineer.code == ref)).first()
    if found is None:
        raise NotFound(f"no engineer {ref}")
    return found


def list_engineers(*, session: Session, include_inactive: bool = False) -> list[Engineer]:
    query = sa.select(Engineer).order_by(Engineer.id)
    if not include_inactive:
        query = query.where(Engineer.active.is_(True))
    return list(session.scalars(query))


def open_jobs(*, session: Session, engineer_ids: list[int] | None = None) -> dict[int, int]:
    """Work orders each engineer holds (their active dispatch, repair not done yet)."""
    query = (
        sa.select(Dispatch.engineer_id, sa.func.count())
        .join(WorkOrder, WorkOrder.id == Dispatch.work_order_id)
        .where(holds())
        .group_by(Dispatch.engineer_id)
    )
    if engineer_ids is not None:
        query = query.where(Dispatch.engineer_id.in_(engineer_ids))
    return {engineer_id: int(n) for engineer_id, n in session.execute(query)}


def read(*, session: Session, engineer: Engineer, load: int | None = None) -> EngineerRead:
    if load is None:
        load = open_jobs(session=session, engineer_ids=[engineer.id]).get(engineer.id, 0)
    base = (
        BaseRead(
            label=engineer.base_label,
            latitude=engineer.base_latitude,
            longitude=engineer.base_longitude,
        )
        if engineer.base_latitude is not None and engineer.base_longitude is not None
        else None
    )
    return EngineerRead.model_validate(
        {
            **{c: getattr(engineer, c) for c in _COLUMNS},
            "base": base,
            "open_jobs": load,
            "skills": engineer.skills,
            "certifications": engineer.certifications,
            "absences": engineer.absences,
        }
    )


_COLUMNS = [
    "id",
    "code",
    "name",
    "email",
    "phone",
    "level",
    "time_zone",
    "working_hours",
    "max_open_jobs",
    "active",
    "created_at",
    "updated_at",
]


def _skills(items: list[SkillIn]) -> list[EngineerSkill]:
    return [
        EngineerSkill(asset_type=s.asset_type, fault_code=s.fault_code, level=s.level)
        for s in items
    ]


def _certifications(items: list[CertificationIn]) -> list[EngineerCertification]:
    return [EngineerCertification(name=c.name, expires_on=c.expires_on) for c in items]


def create_engineer(*, session: Session, data: EngineerCreate, now: datetime) -> Engineer:
    engineer = Engineer(
        code=data.code,
        name=data.name,
        email=data.email,
        phone=data.phone,
        level=data.level,
        base_label=data.base.label if data.base else None,
        base_latitude=data.base.latitude if data.base else None,
        base_longitude=data.base.longitude if data.base else None,
        time_zone=data.time_zone,
        working_hours=data.working_hours,
        max_open_jobs=data.max_open_jobs,
        active=True,
        created_at=now,
        updated_at=now,
        skills=_skills(data.skills),
        certifications=_certifications(data.certifications),
        absences=[],
    )
    try:
        with session.begin_nested():
            session.add(engineer)
    except IntegrityError:
        raise Conflict(f"an engineer with code {data.code!r} exists already") from None
    return engineer


def update_engineer(
    *, session: Session, engineer_id: int, data: EngineerUpdate, now: datetime
) -> Engineer:
    engineer = get_engineer(session=session, ref=engineer_id)
    given = data.model_fields_set
    for name in (
        "name",
        "email",
        "phone",
        "level",
        "time_zone",
        "working_hours",
        "max_open_jobs",
        "active",
    ):
        value = getattr(data, name)
        if name in given:
            if value is None and name not in ("email", "phone"):
                raise InvalidInput(f"{name} cannot be null")
            setattr(engineer, name, value)
    if "base" in given:
        base = data.base
        engineer.base_label = base.label if base else None
        engineer.base_latitude = base.latitude if base else None
        engineer.base_longitude = base.longitude if base else None
    if data.skills is not None:
        engineer.skills.clear()
        session.flush()  # the unique key would see old and new rows at once otherwise
        engineer.skills.extend(_skills(data.skills))
    if data.certifications is not None:
        engineer.certifications.clear()
        session.flush()
        engineer.certifications.extend(_certifications(data.certifications))
    engineer.updated_at = now
    session.flush()
    return engineer


def add_absence(
    *, session: Session, engineer_id: int, data: AbsenceIn, now: datetime
) -> EngineerAbsence:
    engineer = get_engineer(session=session, ref=engineer_id)
    absence = EngineerAbsence(starts_at=data.starts_at, ends_at=data.ends_at, reason=data.reason)
    engineer.absences.append(absence)
    engineer.updated_at = now
    session.flush()
    return absence


def remove_absence(*, session: Session, engineer_id: int, absence_id: int, now: datetime) -> None:
    engineer = get_engineer(session=session, ref=engineer_id)
    absence = next((a for a in engineer.absences if a.id == absence_id), None)
    if absence is None:
        raise NotFound(f"engineer {engineer.code} has no absence {absence_id}")
    engineer.absences.remove(absence)
    engineer.updated_at = now
    session.flush()


def list_requirements(*, session: Session) -> list[DispatchRequirement]:
    return list(
        session.scalars(sa.select(DispatchRequirement).order_by(DispatchRequirement.asset_type))
    )


def requirement_for(*, session: Session, asset_type: str) -> DispatchRequirement:
    """The stored requirement of an asset type, or the default (skill level 1, anyone, no
    certification), not stored."""
    found = session.get(DispatchRequirement, asset_type)
    return found or DispatchRequirement(
        asset_type=asset_type, min_skill_level=1, min_level=EngineerLevel.JUNIOR, certifications=[]
    )


def set_requirement(
    *, session: Session, asset_type: str, data: RequirementIn
) -> DispatchRequirement:
    if not 0 < len(asset_type) <= 100:
        raise InvalidInput("asset_type must have 1 to 100 characters")
    row = session.get(DispatchRequirement, asset_type)
    if row is None:
        row = DispatchRequirement(asset_type=asset_type)
        session.add(row)
    row.min_skill_level = data.min_skill_level
    row.min_level = data.min_level
    row.certifications = sorted(set(data.certifications))
    session.flush()
    return row
