"""Work-order tables and the Pydantic schemas the API and the webhooks serialise them with."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Mapped, mapped_column, relationship

from customers.db import Base, str_enum
from customers.models import Asset as Asset  # re-exported: the registry moved to customers
from customers.models import Criticality as Criticality
from customers.models import Tier as Tier

SCHEMA_VERSION: Literal[1] = 1


class Priority(enum.StrEnum):
    URGENT = "urgent"
    NORMAL = "normal"
    SUGGESTION = "suggestion"


class Status(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class ResolutionCode(enum.StrEnum):
    CONFIRMED_FAULT = "confirmed_fault"
    NO_FAULT_FOUND = "no_fault_found"
    FALSE_ALARM = "false_alarm"


class Kind(enum.StrEnum):
    EQUIPMENT = "equipment"
    DATA_QUALITY = "data_quality"
    # Requested work that is not about a fault: preventive maintenance, consultation.
    SERVICE = "service"


# A work order in one of these is finished; any other status counts as the one open work order
# of its asset and fault (a partial unique index enforces it).
FINISHED = (Status.CLOSED.value, Status.CANCELLED.value)
_ACTIVE = sa.text("status NOT IN ('closed', 'cancelled')")


# Kept under its old name: alerts.models builds its columns with it.
_enum = str_enum


class Counter(Base):
    """Named counters taken under a row lock: gap-free work-order numbers and the change sequence.

    The lock is held until the transaction ends, so values are handed out in commit order and a
    rolled-back transaction gives its value back.
    """

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        sa.Index(
            "uq_work_orders_one_open",
            "asset_id",
            "fault_code",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
        sa.CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # Every change takes the next value of the "changes" counter: the pull API's cursor.
    change_seq: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    version: Mapped[int] = mapped_column(default=1)

    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"))
    asset: Mapped[Asset] = relationship(lazy="joined", innerjoin=True)

    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    fault_code: Mapped[str] = mapped_column(sa.String(64))
    fault_title: Mapped[str] = mapped_column(sa.String(200))
    detector: Mapped[str] = mapped_column(sa.String(100))
    model_version: Mapped[str] = mapped_column(sa.String(100))
    score: Mapped[float]
    threshold: Mapped[float]
    top_metrics: Mapped[dict[str, float]] = mapped_column(sa.JSON, default=dict)

    priority: Mapped[Priority] = mapped_column(_enum(Priority))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.OPEN, index=True)

    detected_at: Mapped[datetime]
    # Indexed for the KPIs, which select a period by each of these times.
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(index=True)
    predicted_failure_at: Mapped[datetime | None]
    # The 90 % interval of the predicted failure (``models.rul``); high None: open-ended.
    predicted_failure_low: Mapped[datetime | None]
    predicted_failure_high: Mapped[datetime | None]
    # Which estimate gave it: "learned" (from confirmed failures) or "trend" (``models.rul.live``).
    predicted_failure_source: Mapped[str | None] = mapped_column(sa.String(16))
    # The SLA clock's deadlines, recomputed from its log (workorders.sla) on every clock event.
    respond_by: Mapped[datetime] = mapped_column(index=True)
    on_site_by: Mapped[datetime] = mapped_column(index=True)
    # Always set; nullable only so that the migration could add it without rebuilding the table.
    resolve_by: Mapped[datetime | None] = mapped_column(index=True)
    # Bumped whenever a deadline or escalation milestone moves (part of the milestones' key).
    sla_clock_version: Mapped[int] = mapped_column(default=1, server_default="1")
    sla_paused_since: Mapped[datetime | None]
    sla_pause_reason: Mapped[str | None] = mapped_column(sa.String(32))
    sla_resume_at: Mapped[datetime | None]
    # Stamped on the first transition into each of these, for the monthly KPIs.
    responded_at: Mapped[datetime | None] = mapped_column(index=True)
    on_site_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    # Times an engineer started work on site (more than one means no first-time fix).
    visits: Mapped[int] = mapped_column(default=0)

    suggested_actions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    suggested_parts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(sa.String(200))
    resolution_code: Mapped[ResolutionCode | None] = mapped_column(_enum(ResolutionCode, 32))
    resolution_notes: Mapped[str | None] = mapped_column(sa.Text)
    parts_used: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    csat: Mapped[int | None]
    # The customer's acceptance of a repair: who signed (the signature itself is a visit record,
    # field.visits), and when; or why there is none. A repair is not resolved without one of them.
    accepted_by: Mapped[str | None] = mapped_column(sa.String(200))
    accepted_at: Mapped[datetime | None]
    no_acceptance_reason: Mapped[str | None] = mapped_column(sa.String(500))
    external_ref: Mapped[str | None] = mapped_column(sa.String(200))

    # Repeat repair: the fault came back within the reopen window after the work order closed.
    repeat_count: Mapped[int] = mapped_column(default=0)
    reopened_at: Mapped[datetime | None]
    # Follow-up verification: after resolution, the alert must stay quiet until this time.
    follow_up_until: Mapped[datetime | None]

    # Where the work came from: the channel that opened it, every channel that reported it since
    # (one entry per request, in order), and the request category (None for alert-made work).
    channel: Mapped[str] = mapped_column(sa.String(20), default="alert")
    channels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    category: Mapped[str | None] = mapped_column(sa.String(40))
    # Why it has its priority: one line per rule or fact that decided (record decisions as data).
    classification: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Outside warranty and contract: the customer pays; the reason says which check decided.
    billable: Mapped[bool] = mapped_column(default=False)
    billable_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # What the customer was invoiced for this work (negative: a credit note), once billed.
    billed_amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declared shape


class WorkOrderAudit(Base):
    """Every change of a work order: who, when, what (field -> [old, new])."""

    __tablename__ = "work_order_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    version: Mapped[int]


# --- Pydantic schemas: the contract with the ticketing system (see docs/ticketing-integration.md)


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class AssetDoc(_Doc):
    site: str
    asset: str
    asset_type: str
    customer: str
    customer_tier: Tier
    criticality: Criticality
    # Added with the customer records (absent until the asset is linked to a site record).
    site_id: int | None = None
    customer_id: int | None = None
    model: str | None = None
    serial_number: str | None = None
    install_date: date | None = None


class FaultDoc(_Doc):
    kind: Kind
    code: str
    title: str
    detector: str
    model_version: str
    score: float
    threshold: float
    top_metrics: dict[str, float]


class SlaDoc(_Doc):
    """Deadlines in the site's business time; while paused they read "if resumed now"."""

    respond_by: datetime
    on_site_by: datetime
    # Added with the SLA clock; receivers that predate them can ignore them.
    resolve_by: datetime | None = None
    paused_since: datetime | None = None
    pause_reason: str | None = None
    resume_at: datetime | None = None
    clock_version: int = 1


class ResolutionDoc(_Doc):
    code: ResolutionCode | None
    notes: str | None
    parts_used: list[str]
    csat: int | None = Field(ge=1, le=5)
    # Added with the engineer's visit: the customer's acceptance, or why there is none.
    accepted_by: str | None = None
    accepted_at: datetime | None = None
    no_acceptance_reason: str | None = None


class FollowUpDoc(_Doc):
    repeat_count: int
    reopened_at: datetime | None
    verify_until: datetime | None


class OriginDoc(_Doc):
    """Where the work came from (added with the service desk)."""

    channel: str = "alert"
    channels: list[str] = Field(default_factory=list)
    category: str | None = None
    billable: bool = False
    billable_reason: str | None = None


class WorkOrderDocument(_Doc):
    """The work-order document: the webhook body and each item of the pull API."""

    schema_version: Literal[1]
    id: uuid.UUID
    number: str = Field(pattern=r"^WO-\d{4}-\d{6,}$")
    version: int
    status: Status
    priority: Priority
    asset: AssetDoc
    fault: FaultDoc
    detected_at: datetime
    created_at: datetime
    updated_at: datetime
    predicted_failure_at: datetime | None
    predicted_failure_low: datetime | None = None
    predicted_failure_high: datetime | None = None
    predicted_failure_source: str | None = Field(
        default=None,
        description="Which estimate gave the predicted failure: 'learned' (the remaining-life "
        "model learned from confirmed failures) or 'trend' (the degradation trend)",
    )
    sla: SlaDoc
    suggested_actions: list[str]
    suggested_parts: list[str]
    assignee: str | None
    resolution: ResolutionDoc
    follow_up: FollowUpDoc
    external_ref: str | None
    # Added with the service desk; receivers that predate them can ignore them.
    origin: OriginDoc = Field(default_factory=OriginDoc)
    classification: list[str] = Field(
        default_factory=list, description="Why the work order has its priority, one line per reason"
    )


class AuditRead(_Doc):
    at: datetime
    actor: str
    action: str
    changes: dict[str, Any]
    version: int


def document(wo: WorkOrder) -> WorkOrderDocument:
    a = wo.asset
    return WorkOrderDocument(
        schema_version=SCHEMA_VERSION,
        id=wo.id,
        number=wo.number,
        version=wo.version,
        status=wo.status,
        priority=wo.priority,
        asset=AssetDoc(
            site=a.site,
            asset=a.asset,
            asset_type=a.asset_type,
            customer=a.site_record.customer.name if a.site_record is not None else a.customer,
            customer_tier=a.tier,
            criticality=a.criticality,
            site_id=a.site_id,
            customer_id=a.customer_id,
            model=a.model,
            serial_number=a.serial_number,
            install_date=a.install_date,
        ),
        fault=FaultDoc(
            kind=wo.kind,
            code=wo.fault_code,
            title=wo.fault_title,
            detector=wo.detector,
            model_version=wo.model_version,
            score=wo.score,
            threshold=wo.threshold,
            top_metrics=wo.top_metrics,
        ),
        detected_at=wo.detected_at,
        created_at=wo.created_at,
        updated_at=wo.updated_at,
        predicted_failure_at=wo.predicted_failure_at,
        predicted_failure_low=wo.predicted_failure_low,
        predicted_failure_high=wo.predicted_failure_high,
        predicted_failure_source=wo.predicted_failure_source,
        sla=SlaDoc(
            respond_by=wo.respond_by,
            on_site_by=wo.on_site_by,
            resolve_by=wo.resolve_by,
            paused_since=wo.sla_paused_since,
            pause_reason=wo.sla_pause_reason,
            resume_at=wo.sla_resume_at,
            clock_version=wo.sla_clock_version,
        ),
        suggested_actions=wo.suggested_actions,
        suggested_parts=wo.suggested_parts,
        assignee=wo.assignee,
        resolution=ResolutionDoc(
            code=wo.resolution_code,
            notes=wo.resolution_notes,
            parts_used=wo.parts_used,
            csat=wo.csat,
            accepted_by=wo.accepted_by,
            accepted_at=wo.accepted_at,
            no_acceptance_reason=wo.no_acceptance_reason,
        ),
        follow_up=FollowUpDoc(
            repeat_count=wo.repeat_count,
            reopened_at=wo.reopened_at,
            verify_until=wo.follow_up_until,
        ),
        external_ref=wo.external_ref,
        origin=OriginDoc(
            channel=wo.channel,
            channels=list(wo.channels or [wo.channel]),
            category=wo.category,
            billable=wo.billable,
            billable_reason=wo.billable_reason,
        ),
        classification=list(wo.classification or []),
    )
