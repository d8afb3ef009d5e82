"""Alert tables: one row per alert episode, every transition of it, and silences."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workorders.db import Base
from workorders.models import Kind, _enum


class AlertState(enum.StrEnum):
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"
    # Pending that fell back below the threshold before firing: recorded, never alarmed.
    CLEARED = "cleared"


class Suppression(enum.StrEnum):
    """Why a firing alert did not open a work order of its own."""

    SILENCED = "silenced"
    DEDUPLICATED = "deduplicated"
    FLAPPING = "flapping"


LIVE = (AlertState.PENDING.value, AlertState.FIRING.value)
_LIVE = sa.text("state IN ('pending', 'firing')")


class Alert(Base):
    """One episode of one fault on one asset: pending -> firing -> resolved (or cleared)."""

    __tablename__ = "alerts"
    __table_args__ = (
        # At most one live episode per asset and fault, whatever the scorer sends.
        sa.Index(
            "uq_alerts_one_live",
            "site",
            "asset",
            "fault_code",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
        sa.Index("ix_alerts_asset_fault", "site", "asset", "fault_code", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site: Mapped[str] = mapped_column(sa.String(200))
    asset: Mapped[str] = mapped_column(sa.String(200))
    asset_type: Mapped[str] = mapped_column(sa.String(100))
    fault_code: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    state: Mapped[AlertState] = mapped_column(_enum(AlertState), index=True)

    started_at: Mapped[datetime]
    firing_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    # Consecutive windows above the threshold (pending) and below the lower one (firing).
    above_count: Mapped[int] = mapped_column(default=0)
    below_count: Mapped[int] = mapped_column(default=0)

    detector: Mapped[str] = mapped_column(sa.String(100))
    model_version: Mapped[str] = mapped_column(sa.String(100))
    threshold: Mapped[float]
    last_score: Mapped[float]
    peak_score: Mapped[float]
    # What made the latest anomalous window anomalous: metric -> share of its score, largest
    # first. Stored on the alert so it explains itself, with or without a work order.
    contributions: Mapped[dict[str, float]] = mapped_column(
        sa.JSON, default=dict, server_default=sa.text("'{}'")
    )

    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(sa.String(200))
    suppressed: Mapped[Suppression | None] = mapped_column(_enum(Suppression))
    silence_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("silences.id", ondelete="SET NULL")
    )
    flapping: Mapped[bool] = mapped_column(default=False)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL"), index=True
    )

    transitions: Mapped[list[AlertTransition]] = relationship(
        back_populates="alert", order_by="AlertTransition.id", cascade="all, delete-orphan"
    )


class AlertTransition(Base):
    """Every change of an alert, with its time and cause (the alert's history)."""

    __tablename__ = "alert_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("alerts.id", ondelete="CASCADE"), index=True
    )
    alert: Mapped[Alert] = relationship(back_populates="transitions")
    at: Mapped[datetime]
    from_state: Mapped[AlertState | None] = mapped_column(_enum(AlertState))
    to_state: Mapped[AlertState] = mapped_column(_enum(AlertState))
    cause: Mapped[str] = mapped_column(sa.String(500))
    score: Mapped[float | None]


class Silence(Base):
    """A maintenance window: matching alerts are still recorded, as silenced, and open nothing.

    An empty ``asset`` or ``fault_code`` matches every asset of the site or every fault.
    """

    __tablename__ = "silences"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    site: Mapped[str] = mapped_column(sa.String(200))
    asset: Mapped[str | None] = mapped_column(sa.String(200))
    fault_code: Mapped[str | None] = mapped_column(sa.String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TransitionRead(_Read):
    at: datetime
    from_state: AlertState | None
    to_state: AlertState
    cause: str
    score: float | None


class AlertRead(_Read):
    id: uuid.UUID
    site: str
    asset: str
    asset_type: str
    fault_code: str
    kind: Kind
    state: AlertState
    started_at: datetime
    firing_at: datetime | None
    resolved_at: datetime | None
    updated_at: datetime
    detector: str
    model_version: str
    threshold: float
    last_score: float
    peak_score: float
    contributions: dict[str, float]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    suppressed: Suppression | None
    flapping: bool
    work_order_id: uuid.UUID | None


class SilenceRead(_Read):
    id: uuid.UUID
    site: str
    asset: str | None
    fault_code: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str
    created_at: datetime
