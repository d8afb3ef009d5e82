"""Requests from every channel, and the classification rules that give their work its priority."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column

from customers.db import Base, str_enum
from customers.models import Criticality
from workorders.models import Priority


class Channel(enum.StrEnum):
    HOTLINE = "hotline"
    PORTAL = "portal"
    INSPECTION = "inspection"
    FOLLOW_UP = "follow_up"
    EMAIL = "email"
    ALERT = "alert"
    PREVENTIVE = "preventive"


class Category(enum.StrEnum):
    EMERGENCY_REPAIR = "emergency_repair"
    TROUBLESHOOTING = "troubleshooting"
    PREVENTIVE_MAINTENANCE = "preventive_maintenance"
    CONSULTATION = "consultation"
    PARTS_REPLACEMENT = "parts_replacement"


class Coverage(enum.StrEnum):
    """What pays for the work: a warranty, a paid contract, or nobody but the customer."""

    WARRANTY = "warranty"
    CONTRACT = "contract"
    NONE = "none"


class Outcome(enum.StrEnum):
    CREATED = "created"  # the request opened a new work order
    ATTACHED = "attached"  # an open work order for the same asset and problem took it
    REOPENED = "reopened"  # a recently closed work order for the same problem came back


class ServiceRequest(Base):
    """One request as received, whatever its channel, and what became of it."""

    __tablename__ = "service_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 20))
    # None for an alert: telemetry reports a fault code, not a category.
    category: Mapped[Category | None] = mapped_column(str_enum(Category, 40))
    description: Mapped[str] = mapped_column(sa.Text)
    # The problem it reports: a fault code (``mechanical``) or, when none was given, the category.
    # A second request for the same asset and problem attaches to the open work order.
    problem: Mapped[str] = mapped_column(sa.String(64))
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    # Who called when there is no contact record (a hotline caller gives a name and number).
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(50))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    wanted_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(index=True)
    raised_by: Mapped[str] = mapped_column(sa.String(200))

    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    coverage: Mapped[Coverage] = mapped_column(str_enum(Coverage))
    billable: Mapped[bool]
    billable_reason: Mapped[str | None] = mapped_column(sa.String(500))


class ClassificationRule(Base):
    """One rule a service manager can read and change: when every condition given holds, the
    work is at least ``priority``. The highest priority among the matching rules wins."""

    __tablename__ = "classification_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    position: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    # Conditions; None (or an empty list) means "any".
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, 20))
    category: Mapped[Category | None] = mapped_column(str_enum(Category, 40))
    words: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # any of, in the text
    criticality: Mapped[Criticality | None] = mapped_column(str_enum(Criticality))
    coverage: Mapped[Coverage | None] = mapped_column(str_enum(Coverage))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority))
    updated_by: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RequestRead(_Read):
    id: uuid.UUID
    number: str
    channel: Channel
    category: Category | None
    description: str
    problem: str
    asset_id: int
    site_id: int | None
    customer_id: int | None
    contact_id: int | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    wanted_at: datetime | None
    received_at: datetime
    raised_by: str
    work_order_id: uuid.UUID
    outcome: Outcome
    priority: Priority
    reasons: list[str]
    coverage: Coverage
    billable: bool
    billable_reason: str | None


class RuleRead(_Read):
    id: int
    name: str
    position: int
    enabled: bool
    channel: Channel | None
    category: Category | None
    words: list[str]
    criticality: Criticality | None
    coverage: Coverage | None
    priority: Priority
    updated_by: str
    updated_at: datetime
