"""Spare-parts tables and the schemas the API reads and writes them with.

A level row holds ``on_hand`` and ``reserved`` for one part in one warehouse, with a CHECK that
``0 <= reserved <= on_hand``: no code path can take a quantity below zero, whatever it forgets.
Every change to a level is one guarded UPDATE (``... WHERE on_hand - reserved >= :quantity``)
written with a ledger row in the same transaction.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Mapped, mapped_column

from workorders.db import Base


class WarehouseKind(enum.StrEnum):
    CENTRAL = "central"
    VAN = "van"


class MoveKind(enum.StrEnum):
    RECEIPT = "receipt"  # into stock from a supplier
    RESERVE = "reserve"  # held for a work order
    RELEASE = "release"  # a reservation given back
    CONSUME = "consume"  # used on a work order
    RETURN = "return"  # back into stock after being taken
    ADJUST = "adjust"  # a count corrected by hand


class Part(Base):
    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    barcode: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    asset_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    asset_models: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    unit_cost: Mapped[float] = mapped_column(default=0.0)
    active: Mapped[bool] = mapped_column(default=True)


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(16), default=WarehouseKind.CENTRAL.value)
    # A van belongs to an engineer.
    engineer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("engineers.id", ondelete="SET NULL")
    )


class StockLevel(Base):
    __tablename__ = "stock_levels"
    __table_args__ = (
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="within_on_hand"),
        sa.CheckConstraint("min_level >= 0", name="min_level_positive"),
    )

    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"), primary_key=True)
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("parts.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    # At or below this many free, the part is on the low-stock list.
    min_level: Mapped[int] = mapped_column(default=0)


class Reservation(Base):
    """Parts held for a work order in a warehouse, until used or released."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        sa.UniqueConstraint("work_order_id", "part_id", "warehouse_id", name="uq_reservation"),
        sa.CheckConstraint("quantity >= 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="CASCADE"), index=True
    )
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("parts.id"))
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    quantity: Mapped[int]


class StockMove(Base):
    """The ledger: one row per movement, never updated or deleted."""

    __tablename__ = "stock_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    part_id: Mapped[int] = mapped_column(sa.ForeignKey("parts.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("work_orders.id", ondelete="SET NULL"), index=True
    )
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id"), index=True)
    actor: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(500))


# --- schemas --------------------------------------------------------------------------------


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class PartCreate(_Schema):
    part_number: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")
    name: str = Field(min_length=1, max_length=200)
    barcode: str | None = Field(default=None, min_length=4, max_length=64, pattern=r"^\S+$")
    asset_types: list[str] = Field(default_factory=list, max_length=50)
    asset_models: list[str] = Field(default_factory=list, max_length=50)
    unit_cost: float = Field(default=0.0, ge=0)


class PartRead(PartCreate):
    id: int
    active: bool


class WarehouseCreate(_Schema):
    code: str = Field(min_length=1, max_length=64, pattern=r"^\S+$")
    name: str = Field(min_length=1, max_length=200)
    kind: WarehouseKind = WarehouseKind.CENTRAL
    engineer_id: int | None = Field(default=None, ge=1, le=2**62)


class WarehouseRead(WarehouseCreate):
    id: int


class LevelRead(_Schema):
    warehouse: str
    part_number: str
    name: str
    on_hand: int
    reserved: int
    free: int
    min_level: int


class MoveRead(_Schema):
    at: datetime
    kind: str
    part_number: str
    warehouse: str
    quantity: int
    work_order_id: uuid.UUID | None
    actor: str
    note: str | None
