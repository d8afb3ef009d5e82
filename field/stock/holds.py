"""Parts held for a dispatched work order: reserved when the engineer is sent, given back when the
work is cancelled, finished or sent to someone else.

Where from: the engineer's van first (what they carry needs no detour), then the central stores
by code. The dispatch keeps the record of what was held and of what nobody had free.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.stock import service
from field.stock.models import Part, Reservation, Warehouse, WarehouseKind
from field.stock.suggest import Held, reserve_suggested
from workorders.models import Status, WorkOrder

# Parts held for work in these statuses go back to stock: nobody will fit them any more.
LETS_GO = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


def warehouses_for(*, session: Session, engineer_id: int) -> list[Warehouse]:
    """The engineer's vans, then the central stores, each by code."""
    vans = session.scalars(
        sa.select(Warehouse)
        .where(Warehouse.kind == WarehouseKind.VAN.value, Warehouse.engineer_id == engineer_id)
        .order_by(Warehouse.code)
    ).all()
    central = session.scalars(
        sa.select(Warehouse)
        .where(Warehouse.kind == WarehouseKind.CENTRAL.value)
        .order_by(Warehouse.code)
    ).all()
    return [*vans, *central]


def hold_for_dispatch(
    *, session: Session, wo: WorkOrder, engineer_id: int, actor: str, now: datetime
) -> Held:
    """Give back what an earlier dispatch held, then hold the suggested parts for this one."""
    release_held(session=session, work_order_id=wo.id, actor=actor, now=now)
    return reserve_suggested(
        session=session,
        work_order=wo,
        warehouses=warehouses_for(session=session, engineer_id=engineer_id),
        actor=actor,
        now=now,
    )


def release_held(*, session: Session, work_order_id: uuid.UUID, actor: str, now: datetime) -> int:
    """Give back every part the work order holds; returns how many."""
    held = session.execute(
        sa.select(Reservation, Warehouse, Part)
        .join(Warehouse, Warehouse.id == Reservation.warehouse_id)
        .join(Part, Part.id == Reservation.part_id)
        .where(Reservation.work_order_id == work_order_id, Reservation.quantity > 0)
        .order_by(Reservation.part_id, Reservation.warehouse_id)  # one lock order for everyone
    ).all()
    return sum(
        service.release(
            session=session,
            work_order_id=work_order_id,
            warehouse=warehouse,
            part=part,
            actor=actor,
            now=now,
        )
        for _, warehouse, part in held
    )


def release_if_done(*, session: Session, wo: WorkOrder, actor: str, now: datetime) -> int:
    """After a status change: the parts go back when the work is resolved, closed or cancelled."""
    if wo.status not in LETS_GO:
        return 0
    return release_held(session=session, work_order_id=wo.id, actor=actor, now=now)


def release_finished(*, session: Session, actor: str, now: datetime) -> int:
    """The sweep (``vigil serve`` runs it): give back what finished work still holds, whoever
    finished it (the API, the ticketing system's status sync, the follow-up)."""
    finished = session.scalars(
        sa.select(WorkOrder.id)
        .join(Reservation, Reservation.work_order_id == WorkOrder.id)
        .where(Reservation.quantity > 0, WorkOrder.status.in_([s.value for s in LETS_GO]))
        .distinct()
    ).all()
    return sum(
        release_held(session=session, work_order_id=wo_id, actor=actor, now=now)
        for wo_id in finished
    )
