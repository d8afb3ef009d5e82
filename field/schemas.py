"""The API's shapes for engineers, requirements, suggestions and dispatches (Pydantic)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from customers.calendar import Calendar
from field.models import ANY_FAULT, DispatchMode, EngineerLevel
from field.shifts import OFFICE_HOURS, working_week

Name = Annotated[str, Field(min_length=1, max_length=100)]
# Ids are INTEGER columns (32 bits on PostgreSQL): a larger one is refused, not a 500.
MAX_ID = 2**31 - 1


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SkillIn(_In):
    asset_type: Name = Field(examples=["pump"])
    fault_code: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        ANY_FAULT, description='A fault code, or "*" for every fault of the asset type'
    )
    level: int = Field(ge=1, le=3, description="1 basic, 2 proficient, 3 expert")


class CertificationIn(_In):
    name: Name = Field(examples=["F-gas category I"])
    expires_on: date | None = Field(default=None, description="None: does not expire")


class BaseIn(_In):
    label: str | None = Field(default=None, max_length=200, examples=["Lyon depot"])
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


def _hours(value: dict[str, Any]) -> dict[str, list[list[str]]]:
    # The zone does not change whether the hours are valid; the canonical form has every day.
    return working_week(time_zone="UTC", hours=value).business_hours()


def _time_zone(value: str) -> str:
    Calendar.around_the_clock(value)
    return value


def _unique_skills(skills: list[SkillIn]) -> list[SkillIn]:
    seen = {(s.asset_type, s.fault_code) for s in skills}
    if len(seen) != len(skills):
        raise ValueError("each (asset_type, fault_code) skill may appear once")
    return skills


def _unique_certifications(certs: list[CertificationIn]) -> list[CertificationIn]:
    if len({c.name for c in certs}) != len(certs):
        raise ValueError("each certification may appear once")
    return certs


class EngineerCreate(_In):
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")] = Field(
        description="Short handle written as the work order's assignee", examples=["a.martin"]
    )
    name: Annotated[str, Field(min_length=1, max_length=200)] = Field(examples=["Anne Martin"])
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)
    level: EngineerLevel
    base: BaseIn | None = None
    time_zone: str = Field(default="UTC", max_length=64, examples=["Europe/Paris"])
    working_hours: dict[str, Any] = Field(
        default_factory=lambda: {
            day: [list(p) for p in spans] for day, spans in OFFICE_HOURS.items()
        },
        description='{"mon": [["08:00", "17:00"]], ..., "sun": []} in the engineer\'s time zone',
    )
    max_open_jobs: int = Field(default=4, ge=1, le=100)
    skills: list[SkillIn] = Field(default_factory=list, max_length=200)
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=100)

    _hours = field_validator("working_hours")(_hours)
    _zone = field_validator("time_zone")(_time_zone)
    _skills = field_validator("skills")(_unique_skills)
    _certs = field_validator("certifications")(_unique_certifications)


class EngineerUpdate(_In):
    """Fields to change; skills and certifications, when given, replace the whole list."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)
    level: EngineerLevel | None = None
    base: BaseIn | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    working_hours: dict[str, Any] | None = None
    max_open_jobs: int | None = Field(default=None, ge=1, le=100)
    active: bool | None = None
    skills: list[SkillIn] | None = Field(default=None, max_length=200)
    certifications: list[CertificationIn] | None = Field(default=None, max_length=100)

    @field_validator("working_hours")
    @classmethod
    def _check_hours(cls, value: dict[str, Any] | None) -> dict[str, list[list[str]]] | None:
        return None if value is None else _hours(value)

    @field_validator("time_zone")
    @classmethod
    def _check_zone(cls, value: str | None) -> str | None:
        return None if value is None else _time_zone(value)

    _skills = field_validator("skills")(lambda v: None if v is None else _unique_skills(v))
    _certs = field_validator("certifications")(
        lambda v: None if v is None else _unique_certifications(v)
    )


class AbsenceIn(_In):
    starts_at: datetime
    ends_at: datetime
    reason: Annotated[str, Field(min_length=1, max_length=200)] = Field(examples=["annual leave"])

    @model_validator(mode="after")
    def _order(self) -> AbsenceIn:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("give absence times with a zone, e.g. 2026-03-02T08:00:00+01:00")
        if self.ends_at <= self.starts_at:
            raise ValueError("an absence must end after it starts")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SkillRead(_Out):
    asset_type: str
    fault_code: str
    level: int


class CertificationRead(_Out):
    name: str
    expires_on: date | None


class AbsenceRead(_Out):
    id: int
    starts_at: datetime
    ends_at: datetime
    reason: str


class BaseRead(_Out):
    label: str | None
    latitude: float
    longitude: float


class EngineerRead(_Out):
    id: int
    code: str
    name: str
    email: str | None
    phone: str | None
    level: EngineerLevel
    base: BaseRead | None
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    max_open_jobs: int
    open_jobs: int
    active: bool
    skills: list[SkillRead]
    certifications: list[CertificationRead]
    absences: list[AbsenceRead]
    created_at: datetime
    updated_at: datetime


class RequirementIn(_In):
    min_skill_level: int = Field(default=1, ge=1, le=3)
    min_level: EngineerLevel = EngineerLevel.JUNIOR
    certifications: list[Name] = Field(default_factory=list, max_length=20)


class RequirementRead(_Out):
    asset_type: str
    min_skill_level: int
    min_level: EngineerLevel
    certifications: list[str]


class PartRead(BaseModel):
    name: str
    value: float = Field(description="0..1, 1 best")
    weight: float
    reason: str


class SuggestionRead(BaseModel):
    engineer_id: int
    code: str
    name: str
    score: float = Field(description="Weighted sum of the parts, 0..1")
    parts: list[PartRead]
    available_from: datetime
    arrival: datetime | None
    distance_km: float | None
    travel_minutes: float | None
    slack_minutes: float | None


class ExcludedRead(BaseModel):
    engineer_id: int
    code: str
    name: str
    reasons: list[str]


class SuggestionsRead(BaseModel):
    work_order_id: uuid.UUID
    number: str
    on_site_by: datetime
    requirement: RequirementRead
    suggestions: list[SuggestionRead]
    excluded: list[ExcludedRead]
    no_candidate: str | None = Field(description="Said plainly when nobody qualifies, else null")
    notes: list[str]


class DispatchIn(_In):
    engineer_id: int = Field(ge=1, le=MAX_ID)
    reason: str | None = Field(default=None, max_length=1000, examples=["nearest with a free slot"])


class DispatchRead(_Out):
    id: int
    work_order_id: uuid.UUID
    engineer_id: int
    at: datetime
    actor: str
    mode: DispatchMode
    reason: str
    score: float | None
    parts: list[dict[str, Any]]
    active: bool
    parts_held: list[str] = Field(
        description="Suggested spare parts reserved for this dispatch, with where from"
    )
    parts_missing: list[str] = Field(description="Suggested spare parts no van or store had free")


class TaskRead(BaseModel):
    order: int = Field(description="Position in the route, from 1")
    work_order_id: uuid.UUID
    number: str
    status: str
    priority: str
    site: str
    asset: str
    fault_title: str
    respond_by: datetime
    on_site_by: datetime
    distance_km: float | None = Field(description="From the previous stop (the first: from base)")
