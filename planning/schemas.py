"""The Pydantic schemas the API and the command line read and write plans and occurrences with."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from planning.models import Anchor, Direction, OccurrenceStatus, Outcome, Trigger, Unit
from workorders.models import Priority


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanFields(_Schema):
    description: str = Field(default="", max_length=5000)
    asset_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="One asset (or give asset_type)"
    )
    asset_type: str | None = Field(
        default=None, min_length=1, max_length=100, description="Every asset of this type"
    )
    trigger: Trigger
    every: int | None = Field(default=None, ge=1, le=3650, description="Calendar: every N units")
    unit: Unit | None = Field(default=None, description="Calendar: days or months")
    anchor: Anchor | None = Field(
        default=None,
        description="Calendar: count the next due date from the plan's dates (fixed, the "
        "default) or from the day the previous work was done (completion)",
    )
    start_on: date | None = Field(
        default=None, description="Calendar: the first due date (default: one interval from now)"
    )
    lead_days: int | None = Field(
        default=None, ge=0, le=365, description="Calendar: open the work this many days early"
    )
    interval_hours: float | None = Field(
        default=None, gt=0, le=1e6, description="Running hours: every N hours of operating_hours"
    )
    lead_hours: float | None = Field(
        default=None, ge=0, le=1e6, description="Running hours: open the work this many hours early"
    )
    first_due_hours: float | None = Field(
        default=None,
        ge=0,
        le=1e9,
        description="Running hours, one asset: the counter value of the first due (default: "
        "the counter when the plan first sees the asset plus the interval)",
    )
    metric: str | None = Field(
        default=None,
        max_length=100,
        description="Condition: a canonical metric, or score_ratio (the anomaly score over its "
        "threshold: 1 is the alarm level)",
    )
    direction: Direction | None = None
    level: float | None = Field(default=None, allow_inf_nan=False)
    clear_level: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="Condition: fires again only after the value came back past this level "
        "(default: the level itself)",
    )
    for_readings: int | None = Field(
        default=None, ge=1, le=10_000, description="Condition: readings in a row past the level"
    )
    article_ids: list[int] = Field(
        default_factory=list,
        max_length=20,
        description="Knowledge-base articles whose fix steps make the checklist",
    )
    steps: list[str] = Field(
        default_factory=list, max_length=100, description="More checklist steps"
    )
    priority: Priority = Priority.SUGGESTION
    grace_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="PM compliance: on time if done by the due date plus these days",
    )
    active: bool = True


class PlanCreate(PlanFields):
    name: str = Field(min_length=1, max_length=200)


class PlanUpdate(_Schema):
    """Only the fields given change; the plan must still be valid as a whole."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    every: int | None = Field(default=None, ge=1, le=3650)
    unit: Unit | None = None
    anchor: Anchor | None = None
    start_on: date | None = None
    lead_days: int | None = Field(default=None, ge=0, le=365)
    interval_hours: float | None = Field(default=None, gt=0, le=1e6)
    lead_hours: float | None = Field(default=None, ge=0, le=1e6)
    metric: str | None = Field(default=None, max_length=100)
    direction: Direction | None = None
    level: float | None = Field(default=None, allow_inf_nan=False)
    clear_level: float | None = Field(default=None, allow_inf_nan=False)
    for_readings: int | None = Field(default=None, ge=1, le=10_000)
    article_ids: list[int] | None = Field(default=None, max_length=20)
    steps: list[str] | None = Field(default=None, max_length=100)
    priority: Priority | None = None
    grace_days: int | None = Field(default=None, ge=0, le=365)
    active: bool | None = None


class PlanRead(PlanCreate):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    checklist: list[str] = Field(default_factory=list, description="As the next work order gets it")


class OccurrenceRead(_Schema):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    plan_id: int
    asset_id: int
    site: str
    asset: str
    due_key: str
    due_at: datetime | None
    due_hours: float | None
    generated_at: datetime
    outcome: Outcome
    reason: str
    work_order_id: uuid.UUID | None
    work_order_number: str | None
    checklist: list[str]
    status: OccurrenceStatus
    done_at: datetime | None
    done_hours: float | None


class UpcomingRead(_Schema):
    """Where one asset stands in a plan: the next due and, for running hours, the counter."""

    plan_id: int
    plan: str
    asset_id: int
    site: str
    asset: str
    trigger: Trigger
    next_due_on: date | None
    next_due_hours: float | None
    run_hours: float | None
    waiting_for: str | None = Field(
        default=None, description="The open work order whose completion sets the next due"
    )
    armed: bool | None = None


class ComplianceCounts(_Schema):
    on_time: int = Field(description="Done by the due date plus the plan's grace")
    due: int = Field(description="Fell due in the window and decided: on time, late or missed")
    late: int
    missed: int
    pending: int = Field(description="Open and still within the grace: in neither count")
    share: float | None = Field(description="on_time / due; null when nothing fell due")


class PlanOverview(_Schema):
    """One plan as a service manager scans it: what it covers, what comes next, what it last
    made and how well it has been kept."""

    plan: PlanRead
    asset: str | None = Field(default=None, description="site/asset of a one-asset plan")
    assets: int = Field(description="Assets the plan has started following")
    next_due: UpcomingRead | None = Field(
        description="The soonest: earliest date (calendar), fewest running hours to go, or "
        "the first condition episode waiting to clear"
    )
    hours_to_go: float | None = Field(
        default=None, description="Running hours: the counter hours until next_due"
    )
    waiting: int = Field(description="Assets whose next due waits for open work to be done")
    last_occurrence: OccurrenceRead | None
    compliance: ComplianceCounts
