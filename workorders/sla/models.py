"""SLA plans, the clock's event log, escalation milestones and escalation mails (tables), with the
Pydantic schemas the API reads and writes plans with."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.db import Base
from workorders.models import Priority, Tier, _enum


class ClockKind(enum.StrEnum):
    """The three deadlines of a work order."""

    RESPOND = "respond"
    ON_SITE = "on_site"
    RESOLVE = "resolve"


class ClockEventKind(enum.StrEnum):
    START = "start"  # created, or reopened: the clock starts again from zero
    PAUSE = "pause"
    RESUME = "resume"
    TARGET_CHANGE = "target_change"  # reclassified, or the plan or tier changed


class PauseReason(enum.StrEnum):
    WAITING_FOR_CUSTOMER = "waiting_for_customer"
    WAITING_FOR_PARTS = "waiting_for_parts"


class EscalationRole(enum.StrEnum):
    ASSIGNEE = "assignee"
    DISPATCHER = "dispatcher"
    SERVICE_MANAGER = "service_manager"


LEVELS = (50, 75, 100)


class SlaPlan(Base):
    """A named SLA plan: targets per priority and tier, which priorities run 24x7, who hears of
    each escalation level, and the auto-dispatch rule the dispatcher follows."""

    __tablename__ = "sla_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    # The plan of work with no contract naming one. Exactly one plan has it.
    is_default: Mapped[bool] = mapped_column(default=False)
    # Priorities counted around the clock instead of in the site's business hours.
    around_the_clock: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # {"50": ["assignee"], "75": [...], "100": [...]}: roles told at each level.
    escalation: Mapped[dict[str, list[str]]] = mapped_column(sa.JSON, default=dict)
    # {"urgent": {"confirm_within_min": 30, "send": "nearest_qualified"}}: read by dispatch.
    auto_dispatch: Mapped[dict[str, dict[str, Any]]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(sa.String(200))

    targets: Mapped[list[SlaTarget]] = relationship(
        cascade="all, delete-orphan", order_by="SlaTarget.priority, SlaTarget.customer_tier"
    )


class SlaTarget(Base):
    """One cell of a plan: business minutes to respond, be on site and resolve."""

    __tablename__ = "sla_targets"
    __table_args__ = (
        sa.CheckConstraint(
            "0 < respond_min AND respond_min <= on_site_min AND on_site_min <= resolve_min",
            name="ordered",
        ),
    )

    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sla_plans.id", ondelete="CASCADE"), primary_key=True
    )
    priority: Mapped[Priority] = mapped_column(_enum(Priority), primary_key=True)
    customer_tier: Mapped[Tier] = mapped_column(_enum(Tier), primary_key=True)
    respond_min: Mapped[int]
    on_site_min: Mapped[int]
    resolve_min: Mapped[int]


class ClockEvent(Base):
    """The append-only log every deadline is recomputed from (never a running counter)."""

    __tablename__ = "sla_clock_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ClockEventKind] = mapped_column(_enum(ClockEventKind, 20))
    # When it takes effect (a resume may be scheduled: ``resume_at`` of its pause).
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    # A pause that ends by itself at this time, unless resumed earlier by hand.
    resume_at: Mapped[datetime | None]
    # The classification from this event on (start and target_change).
    priority: Mapped[Priority | None] = mapped_column(_enum(Priority))
    customer_tier: Mapped[Tier | None] = mapped_column(_enum(Tier))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sla_plans.id", ondelete="SET NULL"))


class Milestone(Base):
    """One escalation level of one deadline under one clock version. Fired at most once: the
    firing statement is ``UPDATE ... SET fired_at = :now WHERE fired_at IS NULL``."""

    __tablename__ = "sla_milestones"
    __table_args__ = (
        sa.UniqueConstraint(
            "work_order_id", "clock", "level", "clock_version", name="uq_sla_milestones_key"
        ),
        sa.Index("ix_sla_milestones_due", "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE")
    )
    clock: Mapped[ClockKind] = mapped_column(_enum(ClockKind, 20))
    level: Mapped[int]
    clock_version: Mapped[int]
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    # The roles and addresses told (or why nobody could be: recorded, never dropped).
    told: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


class EscalationMail(Base):
    """An escalation mail waiting for, or past, the SMTP relay (its own outbox)."""

    __tablename__ = "sla_escalation_mails"
    __table_args__ = (
        sa.UniqueConstraint("milestone_id", "address", name="uq_sla_escalation_mails_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sla_milestones.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(32))
    address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))


# --- schemas


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class TargetIn(_Schema):
    priority: Priority
    customer_tier: Tier
    respond_min: int = Field(gt=0, le=365 * 24 * 60)
    on_site_min: int = Field(gt=0, le=365 * 24 * 60)
    resolve_min: int = Field(gt=0, le=365 * 24 * 60)


class AutoDispatchRule(_Schema):
    """Work of this priority is confirmed within ``confirm_within_min`` and sent to the engineer
    that ``send`` names (today: the nearest qualified one)."""

    confirm_within_min: int = Field(gt=0, le=24 * 60)
    send: str = Field(default="nearest_qualified", pattern="^nearest_qualified$")


class PlanIn(_Schema):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=500)
    around_the_clock: list[Priority] = Field(default_factory=list)
    escalation: dict[str, list[EscalationRole]] = Field(
        default_factory=lambda: {
            "50": [EscalationRole.ASSIGNEE],
            "75": [EscalationRole.ASSIGNEE, EscalationRole.DISPATCHER],
            "100": [
                EscalationRole.ASSIGNEE,
                EscalationRole.DISPATCHER,
                EscalationRole.SERVICE_MANAGER,
            ],
        }
    )
    auto_dispatch: dict[Priority, AutoDispatchRule] = Field(default_factory=dict)
    targets: list[TargetIn]


class PlanRead(PlanIn):
    id: int
    is_default: bool
    updated_at: datetime
    updated_by: str
