"""Stock movements, each a guarded UPDATE of one level row plus its ledger rows.

A guarded UPDATE (``... WHERE on_hand - reserved >= :quantity``) is atomic on both databases:
of two engineers taking the last part at once, the second one's UPDATE finds no row to change
(PostgreSQL re-checks the condition after the first commits) and is refused with a message. No
read-then-write, so SQLAlchemy's silently ignored ``with_for_update()`` on SQLite does not
matter. The caller owns the transaction: a refused step raises, and the caller rolls back.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from field.models import Engineer
from field.stock.models import (
    MoveKind,
    Part,
    PartCreate,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseCreate,
)


class StockError(ValueError):
    """A movement that cannot happen; the message says why and what is there."""


class NotFound(LookupError):
    pass


class OutOfStock(StockError):
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


def _ensure_level(session: Session, warehouse_id: int, part_id: int) -> None:
    key = {"warehouse_id": warehouse_id, "part_id": part_id}
    if session.scalar(sa.select(sa.func.count()).select_from(StockLevel).filter_by(**key)):
        return
    try:
        with session.begin_nested():
            session.execute(sa.insert(StockLevel).values(**key, on_hand=0, reserved=0))
    except IntegrityError:
        pass  # made by a concurrent receipt: fine, the UPDATE below finds it


def _update(
    session: Session, warehouse_id: int, part_id: int, quantity: int, condition: str, **set_: str
) -> bool:
    assignments = ", ".join(f"{column} = {expression}" for column, expression in set_.items())
    result = session.execute(
        sa.text(
            f"UPDATE stock_levels SET {assignments} "
            f"WHERE warehouse_id = :w AND part_id = :p AND {condition}"
        ),
        {"w": warehouse_id, "p": part_id, "q": quantity},
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _log(
    session: Session,
    kind: MoveKind,
    part: Part,
    warehouse: Warehouse,
    quantity: int,
    *,
    actor: str,
    now: datetime,
    work_order_id: uuid.UUID | None = None,
    asset_id: int | None = None,
    note: str | None = None,
) -> None:
    session.add(
        StockMove(
            at=now,
            kind=kind.value,
            part_id=part.id,
            warehouse_id=warehouse.id,
            quantity=quantity,
            work_order_id=work_order_id,
            asset_id=asset_id,
            actor=actor,
            note=note,
        )
    )


def free(*, session: Session, warehouse: Warehouse, part: Part) -> int:
    """Parts there that nobody holds, read afresh."""
    level = session.get(StockLevel, (warehouse.id, part.id), populate_existing=True)
    return 0 if level is None else level.on_hand - level.reserved


def _free(session: Session, warehouse: Warehouse, part: Part) -> int:
    return free(session=session, warehouse=warehouse, part=part)


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise StockError(f"quantity must be a positive whole number, got {quantity}")


def _refuse(session: Session, warehouse: Warehouse, part: Part, quantity: int, verb: str) -> None:
    free = _free(session, warehouse, part)
    raise OutOfStock(
        f"cannot {verb} {quantity} x {part.part_number} ({part.name}) from {warehouse.code}: "
        f"{free} free there now"
    )


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
    _positive(quantity)
    _ensure_level(session, warehouse.id, part.id)
    _update(session, warehouse.id, part.id, quantity, "1 = 1", on_hand="on_hand + :q")
    _log(session, MoveKind.RECEIPT, part, warehouse, quantity, actor=actor, now=now, note=note)


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
    _positive(quantity)
    if not _update(
        session,
        warehouse.id,
        part.id,
        quantity,
        "on_hand - reserved >= :q",
        reserved="reserved + :q",
    ):
        _refuse(session, warehouse, part, quantity, "reserve")
    held = _reservation(session, work_order_id, warehouse, part)
    held.quantity += quantity
    _log(
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
    _update(session, warehouse.id, part.id, count, "reserved >= :q", reserved="reserved - :q")
    held.quantity -= count
    _log(
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
    _positive(quantity)
    held = _reservation(session, work_order_id, warehouse, part)
    from_held = min(held.quantity, quantity)
    rest = quantity - from_held
    # The free part first: if it is refused, nothing has changed yet.
    if rest and not _update(
        session, warehouse.id, part.id, rest, "on_hand - reserved >= :q", on_hand="on_hand - :q"
    ):
        _refuse(session, warehouse, part, rest, "take")
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
        if not _update(
            session,
            warehouse.id,
            part.id,
            from_held,
            "on_hand - reserved >= :q",
            on_hand="on_hand - :q",
        ):
            _refuse(session, warehouse, part, from_held, "take")
    _log(
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
    _positive(quantity)
    _ensure_level(session, warehouse.id, part.id)
    _update(session, warehouse.id, part.id, quantity, "1 = 1", on_hand="on_hand + :q")
    _log(
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
    _ensure_level(session, warehouse.id, part.id)
    if not _update(
        session, warehouse.id, part.id, delta, "on_hand + :q >= reserved", on_hand="on_hand + :q"
    ):
        _refuse(session, warehouse, part, -delta, "write off")
    _log(session, MoveKind.ADJUST, part, warehouse, delta, actor=actor, now=now, note=note)


def set_min_level(*, session: Session, warehouse: Warehouse, part: Part, min_level: int) -> None:
    if min_level < 0:
        raise StockError("min_level cannot be negative")
    _ensure_level(session, warehouse.id, part.id)
    session.execute(
        sa.update(StockLevel)
        .where(StockLevel.warehouse_id == warehouse.id, StockLevel.part_id == part.id)
        .values(min_level=min_level)
    )
