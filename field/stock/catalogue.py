"""The parts catalogue and the warehouses (the central stores and engineers' vans), found by the
codes people type or scan, and the minimum level of a part in a warehouse."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.models import Engineer
from field.stock.ledger import StockError, ensure_level
from field.stock.models import Part, PartCreate, StockLevel, Warehouse, WarehouseCreate


class NotFound(LookupError):
    pass


def add_part(*, session: Session, data: PartCreate) -> Part:
    if session.scalar(sa.select(Part.id).where(Part.part_number == data.part_number)):
        raise StockError(f"part number {data.part_number} exists already")
    if data.barcode and session.scalar(sa.select(Part.id).where(Part.barcode == data.barcode)):
        raise StockError(f"barcode {data.barcode} belongs to another part")
    part = Part(**data.model_dump())
    session.add(part)
    session.flush()
    return part


def find_part(*, session: Session, code: str) -> Part:
    """A part by its number or its barcode, as typed or scanned into the field."""
    code = code.strip()
    part = session.scalars(
        sa.select(Part).where(sa.or_(Part.part_number == code, Part.barcode == code))
    ).first()
    if part is None:
        raise NotFound(f"no part with number or barcode {code!r}")
    return part


def add_warehouse(*, session: Session, data: WarehouseCreate) -> Warehouse:
    if session.scalar(sa.select(Warehouse.id).where(Warehouse.code == data.code)):
        raise StockError(f"warehouse {data.code} exists already")
    if data.engineer_id is not None and session.get(Engineer, data.engineer_id) is None:
        raise StockError(f"no engineer {data.engineer_id}: a van belongs to a known engineer")
    warehouse = Warehouse(**data.model_dump())
    session.add(warehouse)
    session.flush()
    return warehouse


def find_warehouse(*, session: Session, code: str) -> Warehouse:
    warehouse = session.scalars(sa.select(Warehouse).where(Warehouse.code == code)).first()
    if warehouse is None:
        raise NotFound(f"no warehouse {code!r}")
    return warehouse


def set_min_level(*, session: Session, warehouse: Warehouse, part: Part, min_level: int) -> None:
    if min_level < 0:
        raise StockError("min_level cannot be negative")
    ensure_level(session, warehouse.id, part.id)
    session.execute(
        sa.update(StockLevel)
        .where(StockLevel.warehouse_id == warehouse.id, StockLevel.part_id == part.id)
        .values(min_level=min_level)
    )
