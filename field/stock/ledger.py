"""The two tables every stock movement writes: the level row of a part in a warehouse, changed
by a guarded UPDATE, and the append-only ledger row that records the movement.

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

from field.stock.models import MoveKind, Part, StockLevel, StockMove, Warehouse


class StockError(ValueError):
    """A movement that cannot happen; the message says why and what is there."""


class OutOfStock(StockError):
    pass


def ensure_level(session: Session, warehouse_id: int, part_id: int) -> None:
    """The level row exists (at zero when new), so that a guarded UPDATE has a row to change."""
    key = {"warehouse_id": warehouse_id, "part_id": part_id}
    if session.scalar(sa.select(sa.func.count()).select_from(StockLevel).filter_by(**key)):
        return
    try:
        with session.begin_nested():
            session.execute(sa.insert(StockLevel).values(**key, on_hand=0, reserved=0))
    except IntegrityError:
        pass  # made by a concurrent receipt: fine, the UPDATE below finds it


def guarded_update(
    session: Session, warehouse_id: int, part_id: int, quantity: int, condition: str, **set_: str
) -> bool:
    """Change the level row only where ``condition`` holds (``:q`` is the quantity); whether it
    did."""
    assignments = ", ".join(f"{column} = {expression}" for column, expression in set_.items())
    result = session.execute(
        sa.text(
            f"UPDATE stock_levels SET {assignments} "
            f"WHERE warehouse_id = :w AND part_id = :p AND {condition}"
        ),
        {"w": warehouse_id, "p": part_id, "q": quantity},
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def record(
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
    """The ledger row of one movement: the truth the level rows are checked against."""
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


def check_positive(quantity: int) -> None:
    if quantity <= 0:
        raise StockError(f"quantity must be a positive whole number, got {quantity}")


def refuse(session: Session, warehouse: Warehouse, part: Part, quantity: int, verb: str) -> None:
    there = free(session=session, warehouse=warehouse, part=part)
    raise OutOfStock(
        f"cannot {verb} {quantity} x {part.part_number} ({part.name}) from {warehouse.code}: "
        f"{there} free there now"
    )
