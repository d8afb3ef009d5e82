"""Builders of warehouses, parts and stock movements in a real database for the stock tests:
the central store, Ana's van, a bearing and a seal, and the movements with the arguments that do
not matter to a test filled in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from field.stock import catalogue, queries, service
from field.stock.models import (
    Part,
    PartCreate,
    Reservation,
    Warehouse,
    WarehouseCreate,
    WarehouseKind,
)
from tests.workorders.dbkit import T0, decision
from workorders import from_alerts
from workorders.models import WorkOrder

NOW = T0


def warehouse(session: Session, code: str, *, engineer_id: int | None = None) -> Warehouse:
    """A central store, or a van when it belongs to an engineer."""
    kind = WarehouseKind.VAN if engineer_id else WarehouseKind.CENTRAL
    data = WarehouseCreate(code=code, name=code, kind=kind, engineer_id=engineer_id)
    return catalogue.add_warehouse(session=session, data=data)


def bearing(session: Session) -> Part:
    data = PartCreate(
        part_number="SKF-6205",
        name="Bearing 6205-2RS",
        barcode="4006593001234",
        asset_types=["pump", "motor"],
        unit_cost=18.5,
    )
    return catalogue.add_part(session=session, data=data)


def seal(session: Session) -> Part:
    data = PartCreate(part_number="MS-40", name="Mechanical seal 40 mm", asset_types=["pump"])
    return catalogue.add_part(session=session, data=data)


def setup(session: Session) -> tuple[Warehouse, Warehouse, Part, Part]:
    """The central store, Ana's van (no engineer record), a bearing and a seal; nothing in stock."""
    central = catalogue.add_warehouse(
        session=session, data=WarehouseCreate(code="central", name="Central store")
    )
    van = catalogue.add_warehouse(
        session=session,
        data=WarehouseCreate(code="van-ana", name="Ana's van", kind=WarehouseKind.VAN),
    )
    return central, van, bearing(session), seal(session)


def open_wo(session: Session, asset: str = "pump-1", fault_code: str = "mechanical") -> WorkOrder:
    return from_alerts.open_for_alert(
        session=session, decision=decision(asset=asset, fault_code=fault_code), now=NOW
    ).work_order


def level(session: Session, warehouse: str, part: str) -> tuple[int, int]:
    """(on hand, reserved) of a part number in a warehouse, (0, 0) where it never was."""
    rows = [
        r for r in queries.levels(session=session, warehouse=warehouse) if r.part_number == part
    ]
    return (rows[0].on_hand, rows[0].reserved) if rows else (0, 0)


def receive(
    session: Session, warehouse: Warehouse, part: Part, quantity: int, *, now: datetime = NOW
) -> None:
    service.receive(
        session=session, warehouse=warehouse, part=part, quantity=quantity, actor="store", now=now
    )


def reserve(
    session: Session, wo: WorkOrder, warehouse: Warehouse, part: Part, quantity: int
) -> Reservation:
    return service.reserve(
        session=session,
        work_order_id=wo.id,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        actor="desk",
        now=NOW,
    )


def consume(
    session: Session,
    wo: WorkOrder,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    *,
    now: datetime = NOW,
) -> None:
    service.consume(
        session=session,
        work_order_id=wo.id,
        asset_id=wo.asset_id,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        actor="ana",
        now=now,
    )
