"""An engineer's visit on site: check-in and check-out (time and position), the repair's steps
as a checklist, notes, and the files taken there (photos, the customer's signature).

Parts used are not stored here: they are consumption moves of ``field.stock`` (the ledger), so
the stock goes down with them. The customer's acceptance is written on the work order itself
(``workorders.service.record_acceptance``), where resolution checks it.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Mapped, mapped_column

from workorders.db import Base


class FileKind(enum.StrEnum):
    PHOTO = "photo"
    SIGNATURE = "signature"


class Visit(Base):
    """One stay on site, from check-in to check-out. Positions are None when the phone gave
    none (the engineer refused location, or it timed out): the time is recorded anyway."""

    __tablename__ = "visits"
    __table_args__ = (
        sa.CheckConstraint(
            "(in_latitude IS NULL OR in_latitude BETWEEN -90 AND 90) AND "
            "(in_longitude IS NULL OR in_longitude BETWEEN -180 AND 180) AND "
            "(out_latitude IS NULL OR out_latitude BETWEEN -90 AND 90) AND "
            "(out_longitude IS NULL OR out_longitude BETWEEN -180 AND 180)",
            name="coordinates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    engineer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("engineers.id", ondelete="SET NULL")
    )
    actor: Mapped[str] = mapped_column(sa.String(200))
    checked_in_at: Mapped[datetime]
    in_latitude: Mapped[float | None]
    in_longitude: Mapped[float | None]
    in_accuracy_m: Mapped[float | None]
    checked_out_at: Mapped[datetime | None]
    out_latitude: Mapped[float | None]
    out_longitude: Mapped[float | None]
    out_accuracy_m: Mapped[float | None]


class VisitStep(Base):
    """One step of the repair, taken from the suggested fix's article; who ticked it and when."""

    __tablename__ = "visit_steps"
    __table_args__ = (sa.UniqueConstraint("work_order_id", "position", name="uq_visit_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(1000))
    article_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kb_articles.id", ondelete="SET NULL")
    )
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(sa.String(200))


class VisitNote(Base):
    """The engineer's notes of a work order (one text, rewritten as they go)."""

    __tablename__ = "visit_notes"

    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(sa.String(200))


class VisitFile(Base):
    """A photo or the customer's signature, kept in the upload store under ``stored_name``."""

    __tablename__ = "visit_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    size: Mapped[int]
    original_name: Mapped[str | None] = mapped_column(sa.String(200))
    # The customer's name on a signature.
    signer: Mapped[str | None] = mapped_column(sa.String(200))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(sa.String(200))


# --- schemas ------------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class Position(_Schema):
    """Where the phone says it is (the browser's geolocation); all None when it gave none."""

    latitude: float | None = Field(default=None, ge=-90, le=90, examples=[45.7797])
    longitude: float | None = Field(default=None, ge=-180, le=180, examples=[4.8728])
    accuracy_m: float | None = Field(default=None, ge=0, le=1_000_000, examples=[12.0])


class VisitRead(_Schema):
    id: int
    engineer_id: int | None
    actor: str
    checked_in_at: datetime
    in_latitude: float | None
    in_longitude: float | None
    in_accuracy_m: float | None
    checked_out_at: datetime | None
    out_latitude: float | None
    out_longitude: float | None
    out_accuracy_m: float | None


class StepRead(_Schema):
    id: int
    position: int
    text: str
    article_id: int | None
    done_at: datetime | None
    done_by: str | None


class StepTick(_Schema):
    done: bool


class PartUse(_Schema):
    code: str = Field(
        min_length=1, max_length=64, description="Part number or barcode, typed or scanned"
    )
    quantity: int = Field(default=1, ge=1, le=1000)
    warehouse: str | None = Field(
        default=None, max_length=64, description="Warehouse code; default: the engineer's van"
    )


class PartUsed(_Schema):
    part_number: str
    name: str
    quantity: int
    warehouse: str
    at: datetime
    actor: str


class NotesIn(_Schema):
    text: str = Field(max_length=20_000)


class FileRead(_Schema):
    id: int
    kind: FileKind
    content_type: str
    size: int
    original_name: str | None
    signer: str | None
    uploaded_at: datetime
    uploaded_by: str
    url: str


class ResolveIn(_Schema):
    code: str = Field(
        default="confirmed_fault", pattern="^(confirmed_fault|no_fault_found|false_alarm)$"
    )
    notes: str | None = Field(default=None, max_length=5000)
    no_acceptance_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why the customer did not sign (needed without one)",
    )


class VisitSheet(_Schema):
    """Everything recorded on a work order's visits, as the phone shows it."""

    work_order: str
    status: str
    on_site: bool
    visits: list[VisitRead]
    steps: list[StepRead]
    parts: list[PartUsed]
    notes: str
    files: list[FileRead]
    accepted_by: str | None
    accepted_at: datetime | None
    no_acceptance_reason: str | None
