"""Preventive maintenance plans, each asset's progress through its plan, and the occurrences.

An occurrence is one due date (or counter value, or condition episode) of one plan on one asset.
It is inserted once per ``(plan, asset, due key)``: the unique constraint, not the scheduler,
decides that a due date makes one work order, so a rerun, a catch-up after downtime or two
schedulers at once add nothing twice.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from customers.db import Base, str_enum
from customers.models import Asset
from workorders.models import Priority


class Trigger(enum.StrEnum):
    CALENDAR = "calendar"  # every N days or months
    RUNNING_HOURS = "running_hours"  # every N hours of the operating_hours counter
    CONDITION = "condition"  # a metric or the health score crossing a level


class Unit(enum.StrEnum):
    DAYS = "days"
    MONTHS = "months"


class Anchor(enum.StrEnum):
    """Where a calendar plan counts its next due date from."""

    FIXED = "fixed"  # from the plan's start date: due dates never drift, late work included
    COMPLETION = "completion"  # from the day the previous occurrence's work was done


class Direction(enum.StrEnum):
    ABOVE = "above"
    BELOW = "below"


class Outcome(enum.StrEnum):
    CREATED = "created"  # a preventive work order was opened for it
    ATTACHED = "attached"  # an open work order on the asset took its checklist instead
    SKIPPED = "skipped"  # a later due date of a catch-up after downtime superseded it


class OccurrenceStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # its work order was resolved (done_at)
    MISSED = "missed"  # skipped, or its work order was cancelled
    CANCELLED = "cancelled"  # its plan was deactivated before it was done: not counted


# The health score a condition plan may watch: the anomaly score over its threshold (1 = alarm).
SCORE_RATIO = "score_ratio"

_ONE_TARGET = "(asset_id IS NULL) <> (asset_type IS NULL)"


class MaintenancePlan(Base):
    __tablename__ = "maintenance_plans"
    __table_args__ = (
        sa.CheckConstraint(_ONE_TARGET, name="one_target"),
        sa.CheckConstraint("grace_days >= 0", name="grace_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # One asset, or every asset of a type (those registered later included).
    asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    asset_type: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    trigger: Mapped[Trigger] = mapped_column(str_enum(Trigger, 20))

    # Calendar: every ``every`` days or months, the first due on ``start_on``.
    every: Mapped[int | None]
    unit: Mapped[Unit | None] = mapped_column(str_enum(Unit))
    anchor: Mapped[Anchor | None] = mapped_column(str_enum(Anchor))
    start_on: Mapped[date | None]
    lead_days: Mapped[int | None]

    # Running hours: every ``interval_hours`` of the counter, counted from the counter when the
    # plan first sees the asset (or ``first_due_hours``) and then from the counter at completion.
    interval_hours: Mapped[float | None]
    lead_hours: Mapped[float | None]
    first_due_hours: Mapped[float | None]

    # Condition: ``metric`` ``direction`` ``level`` for ``for_readings`` readings in a row fires
    # once; it fires again only after the value went back past ``clear_level`` (hysteresis).
    metric: Mapped[str | None] = mapped_column(sa.String(100))
    direction: Mapped[Direction | None] = mapped_column(str_enum(Direction))
    level: Mapped[float | None]
    clear_level: Mapped[float | None]
    for_readings: Mapped[int | None]

    # The checklist: the fix steps of these knowledge-base articles, then ``steps``.
    article_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    steps: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.SUGGESTION)
    # PM compliance: done by the due date plus this many days counts as on time.
    grace_days: Mapped[int] = mapped_column(default=7)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime]

    asset: Mapped[Asset | None] = relationship(lazy="selectin")

    @property
    def fault_code(self) -> str:
        """The problem code of its work orders: one open preventive work order per plan and asset."""
        return f"pm_{self.id}"


class PlanProgress(Base):
    """Where one asset stands in one plan: the next due date or counter value, the counter as
    last read, the condition's episode state. Locked while a scheduler run works on it."""

    __tablename__ = "plan_progress"

    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("maintenance_plans.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    # Calendar: the next due date is ``anchor_on`` plus ``cycle`` intervals (counted from the
    # anchor each time, so the 31st gives the last day of shorter months without drifting).
    anchor_on: Mapped[date | None]
    cycle: Mapped[int] = mapped_column(default=1)
    # Waiting for the open occurrence's work to be done before the next due is known.
    waiting: Mapped[bool] = mapped_column(default=False)
    # Running hours: the counter as Vigil counts it (resets and glitches absorbed), the raw
    # value last read, the reading time read up to, and the next due counter value.
    run_hours: Mapped[float | None]
    raw_hours: Mapped[float | None]
    read_until: Mapped[datetime | None]
    next_due_hours: Mapped[float | None]
    counter_resets: Mapped[int] = mapped_column(default=0)
    # Condition: armed (may fire), the readings in a row past the level, since when.
    armed: Mapped[bool] = mapped_column(default=True)
    streak: Mapped[int] = mapped_column(default=0)
    streak_since: Mapped[datetime | None]
    last_value: Mapped[float | None]
    updated_at: Mapped[datetime]


class Occurrence(Base):
    __tablename__ = "plan_occurrences"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "asset_id", "due_key", name="uq_plan_occurrences_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("maintenance_plans.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id", ondelete="CASCADE"))
    # The site's local due date (calendar), ``<hours>h`` (running hours), ``c<start>`` (the
    # condition episode's first reading).
    due_key: Mapped[str] = mapped_column(sa.String(64))
    # When it falls due: for running hours, when the counter reached ``due_hours`` (None before).
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    due_hours: Mapped[float | None]
    generated_at: Mapped[datetime]
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    reason: Mapped[str] = mapped_column(sa.String(500))
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL"), index=True
    )
    checklist: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[OccurrenceStatus] = mapped_column(
        str_enum(OccurrenceStatus), default=OccurrenceStatus.OPEN, index=True
    )
    done_at: Mapped[datetime | None]
    done_hours: Mapped[float | None]

    plan: Mapped[MaintenancePlan] = relationship(lazy="joined", innerjoin=True)
    asset: Mapped[Asset] = relationship(lazy="joined", innerjoin=True)
