"""Stock movements: receipts, holds for work orders and their release, parts used, returned or
corrected by hand. Each is one guarded UPDATE of a level row plus its ledger rows
(``field.stock.ledger`` says why that is safe under concurrency); the caller owns the
transaction, and a refused step raises for it to roll back.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.stock.ledger import (
    StockError,
    check_positive,
    ensure_level,
    guarded_update,
    record,
    refuse,
)
from field.stock.models import MoveKind, Part, Reservation, Warehouse


def receive(
    *,
    session: Session,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> None:
    check_positive(quantity)
    ensure_level(session, warehouse.id, part.id)
    guarded_update(session, warehouse.id, part.id, quantity, "1 = 1", on_hand="on_hand + :q")
    record(session, MoveKind.RECEIPT, part, warehouse, quantity, actor=actor, now=now, note=note)


def reserve(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor: str,
    now: datetime,
) -> Reservation:
    """Hold parts for a work order; refused when fewer are free."""
    check_positive(quantity)
    if not guarded_update(
        session,
        warehouse.id,
        part.id,
        quantity,
        "on_hand - reserved >= :q",
        reserved="reserved + :q",
    ):
        refuse(session, warehouse, part, quantity, "reserve")
    held = _reservation(session, work_order_id, warehouse, part)
    held.quantity += quantity
    record(
        session,
        MoveKind.RESERVE,
        part,
        warehouse,
        quantity,
        actor=actor,
        now=now,
        work_order_id=work_order_id,
    )
    session.flush()
    return held


def _reservation(
    session: Session, work_order_id: uuid.UUID, warehouse: Warehouse, part: Part
) -> Reservation:
    key = {"work_order_id": work_order_id, "warehouse_id": warehouse.id, "part_id": part.id}
    held = session.scalars(sa.select(Reservation).filter_by(**key)).first()
    if held is None:
        held = Reservation(**key, quantity=0)
        session.add(held)
    return held


def release(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    warehouse: Warehouse,
    part: Part,
    actor: str,
    now: datetime,
    quantity: int | None = None,
    note: str | None = None,
) -> int:
    """Give back what a work order holds (all of it by default); returns how many."""
    held = _reservation(session, work_order_id, warehouse, part)
    count = held.quantity if quantity is None else min(quantity, held.quantity)
    if count <= 0:
        return 0
    guarded_update(
        session, warehouse.id, part.id, count, "reserved >= :q", reserved="reserved - :q"
    )
    held.quantity -= count
    record(
        session,
        MoveKind.RELEASE,
        part,
        warehouse,
        count,
        actor=actor,
        now=now,
        work_order_id=work_order_id,
        note=note,
    )
    session.flush()
    return count


def consume(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    asset_id: int | None,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor: str,
    now: datetime,
) -> None:
    """Parts used on a work order: first what it holds there, then free stock."""
    check_positive(quantity)
    held = _reservation(session, work_order_id, warehouse, part)
    from_held = min(held.quantity, quantity)
    rest = quantity - from_held
    # The free part first: if it is refused, nothing has changed yet.
    if rest and not guarded_update(
        session, warehouse.id, part.id, rest, "on_hand - reserved >= :q", on_hand="on_hand - :q"
    ):
        refuse(session, warehouse, part, rest, "take")
    if from_held:
        release(
            session=session,
            work_order_id=work_order_id,
            warehouse=warehouse,
            part=part,
            actor=actor,
            now=now,
            quantity=from_held,
        )
        if not guarded_update(
            session,
            warehouse.id,
            part.id,
            from_held,
            "on_hand - reserved >= :q",
            on_hand="on_hand - :q",
        ):
            refuse(session, warehouse, part, from_held, "take")
    record(
        session,
        MoveKind.CONSUME,
        part,
        warehouse,
        quantity,
        actor=actor,
        now=now,
        work_order_id=work_order_id,
        asset_id=asset_id,
    )
    if rest:
        _release_elsewhere(session, work_order_id, warehouse, part, rest, actor=actor, now=now)
    session.flush()


def _release_elsewhere(
    session: Session,
    work_order_id: uuid.UUID,
    used_from: Warehouse,
    part: Part,
    quantity: int,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Parts used from one warehouse while the work order held the same part in another: the
    hold there is no longer needed (up to the quantity used)."""
    elsewhere = session.scalars(
        sa.select(Warehouse)
        .join(Reservation, Reservation.warehouse_id == Warehouse.id)
        .where(
            Reservation.work_order_id == work_order_id,
            Reservation.part_id == part.id,
            Reservation.warehouse_id != used_from.id,
            Reservation.quantity > 0,
        )
        .order_by(Warehouse.code)
    ).all()
    for warehouse in elsewhere:
        if quantity <= 0:
            return
        quantity -= release(
            session=session,
            work_order_id=work_order_id,
            warehouse=warehouse,
            part=part,
            actor=actor,
            now=now,
            quantity=quantity,
        )


def return_part(
    *,
    session: Session,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    actor: str,
    now: datetime,
    work_order_id: uuid.UUID | None = None,
    note: str | None = None,
) -> None:
    """A part taken but not used comes back into stock."""
    check_positive(quantity)
    ensure_level(session, warehouse.id, part.id)
    guarded_update(session, warehouse.id, part.id, quantity, "1 = 1", on_hand="on_hand + :q")
    record(
        session,
        MoveKind.RETURN,
        part,
        warehouse,
        quantity,
        actor=actor,
        now=now,
        work_order_id=work_order_id,
        note=note,
    )


def adjust(
    *,
    session: Session,
    warehouse: Warehouse,
    part: Part,
    delta: int,
    actor: str,
    now: datetime,
    note: str,
) -> None:
    """A count corrected by hand (stock-take); never below what is reserved."""
    if delta == 0:
        raise StockError("an adjustment of 0 changes nothing")
    ensure_level(session, warehouse.id, part.id)
    if not guarded_update(
        session, warehouse.id, part.id, delta, "on_hand + :q >= reserved", on_hand="on_hand + :q"
    ):
        refuse(session, warehouse, part, -delta, "write off")
    record(session, MoveKind.ADJUST, part, warehouse, delta, actor=actor, now=now, note=note)
