"""What the follow-up decided about a repair, with the evidence it decided on."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Mapped, mapped_column

from workorders.db import Base
from workorders.models import _enum


class Outcome(enum.StrEnum):
    VERIFIED = "verified"
    REPEAT_REPAIR = "repeat_repair"
    # Nothing was scored in the part of the period that counts: no judge, so a person decides.
    NO_TELEMETRY = "no_telemetry"


class RepairVerification(Base):
    """One verdict on one resolution of a work order (a work order reopened and resolved again
    gets a verdict per resolution)."""

    __tablename__ = "repair_verifications"
    __table_args__ = (sa.UniqueConstraint("work_order_id", "resolved_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    resolved_at: Mapped[datetime]
    period_end: Mapped[datetime]
    decided_at: Mapped[datetime]
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    # {"alerts": [{id, fault_code, state, firing_at, fired_since_resolution, peak_score,
    # last_score, threshold}], "health": {from, until, windows, abnormal_windows, worst}}
    evidence: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class RepairVerificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    work_order_id: uuid.UUID
    resolved_at: datetime
    period_end: datetime
    decided_at: datetime
    outcome: Outcome
    evidence: dict[str, Any]
