"""Parts reserved first for VIP customers (the seeds' promise): when stock is short, a VIP
customer's work order takes what it needs from parts held for other customers' open work.

Only what is missing is taken, from the most recent reservations of non-VIP work first (they
waited least). Each part taken is a release in the ledger that says which VIP work order got it,
so the other work order's engineer sees why the part is gone. If even that is not enough,
nothing changes and the request is refused with what is there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Tier
from field.stock import ledger, service
from field.stock.models import Part, Reservation, Warehouse
from workorders.models import FINISHED, WorkOrder


@dataclass(frozen=True, slots=True)
class Taken:
    """Parts a VIP work order took over from another work order's reservation."""

    work_order: str  # the number of the work order that gave them up
    quantity: int


def _yielding(
    session: Session, warehouse: Warehouse, part: Part, vip_work_order: uuid.UUID
) -> list[tuple[Reservation, WorkOrder]]:
    """Reservations of the part there that a VIP's work may take: open, non-VIP, newest first."""
    query = (
        sa.select(Reservation, WorkOrder)
        .join(WorkOrder, WorkOrder.id == Reservation.work_order_id)
        .where(
            Reservation.warehouse_id == warehouse.id,
            Reservation.part_id == part.id,
            Reservation.quantity > 0,
            Reservation.work_order_id != vip_work_order,
            WorkOrder.status.not_in(FINISHED),
        )
        .order_by(Reservation.id.desc())
    )
    return [(r, wo) for r, wo in session.execute(query) if wo.asset.tier is not Tier.VIP]


def reserve_first(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor: str,
    now: datetime,
) -> tuple[Reservation, list[Taken]]:
    """Hold parts for a work order; a VIP customer's takes over other work's parts when short.

    Returns the reservation and what was taken from whom (empty when stock was enough).
    """
    work_order = session.get_one(WorkOrder, work_order_id)
    free = ledger.free(session=session, warehouse=warehouse, part=part)
    taken: list[Taken] = []
    if quantity > free and work_order.asset.tier is Tier.VIP:
        yielding = _yielding(session, warehouse, part, work_order_id)
        if free + sum(r.quantity for r, _ in yielding) < quantity:
            raise ledger.OutOfStock(
                f"cannot reserve {quantity} x {part.part_number} ({part.name}) from "
                f"{warehouse.code}: {free} free there and {sum(r.quantity for r, _ in yielding)} "
                "held for other customers' work, even for a VIP customer"
            )
        missing = quantity - free
        for held, other in yielding:
            if missing <= 0:
                break
            count = service.release(
                session=session,
                work_order_id=other.id,
                warehouse=warehouse,
                part=part,
                actor=actor,
                now=now,
                quantity=min(held.quantity, missing),
                note=f"taken for VIP work order {work_order.number}",
            )
            taken.append(Taken(other.number, count))
            missing -= count
    held = service.reserve(
        session=session,
        work_order_id=work_order_id,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        actor=actor,
        now=now,
    )
    return held, taken
