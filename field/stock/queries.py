"""Reading the stock: levels per warehouse and part (the low-stock list), the ledger (an asset's
or a work order's parts history), and the check of the levels against the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.stock.models import MoveKind, Part, StockLevel, StockMove, Warehouse


@dataclass(frozen=True)
class Level:
    warehouse: str
    part_number: str
    name: str
    on_hand: int
    reserved: int
    free: int
    min_level: int


def levels(
    *, session: Session, warehouse: str | None = None, low_only: bool = False
) -> list[Level]:
    """Stock per warehouse and part; ``low_only``: free at or below the minimum level."""
    free = StockLevel.on_hand - StockLevel.reserved
    query = (
        sa.select(
            Warehouse.code,
            Part.part_number,
            Part.name,
            StockLevel.on_hand,
            StockLevel.reserved,
            free,
            StockLevel.min_level,
        )
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .join(Part, Part.id == StockLevel.part_id)
        .order_by(Warehouse.code, Part.part_number)
    )
    if warehouse is not None:
        query = query.where(Warehouse.code == warehouse)
    if low_only:
        query = query.where(free <= StockLevel.min_level)
    return [Level(*row) for row in session.execute(query)]


def moves(
    *,
    session: Session,
    asset_id: int | None = None,
    work_order_id: uuid.UUID | None = None,
    limit: int = 200,
) -> Sequence[sa.Row[StockMove, str, str]]:
    """Ledger rows, newest first, with part number and warehouse code: an asset's parts history
    or a work order's."""
    query = (
        sa.select(StockMove, Part.part_number, Warehouse.code)
        .join(Part, Part.id == StockMove.part_id)
        .join(Warehouse, Warehouse.id == StockMove.warehouse_id)
        .order_by(StockMove.at.desc(), StockMove.id.desc())
        .limit(limit)
    )
    if asset_id is not None:
        query = query.where(StockMove.asset_id == asset_id)
    if work_order_id is not None:
        query = query.where(StockMove.work_order_id == work_order_id)
    return session.execute(query).all()


def reconcile(*, session: Session) -> list[str]:
    """Levels that differ from what the ledger adds up to (empty when all agree)."""
    sign = {MoveKind.RECEIPT: 1, MoveKind.RETURN: 1, MoveKind.ADJUST: 1, MoveKind.CONSUME: -1}
    held = {MoveKind.RESERVE: 1, MoveKind.RELEASE: -1}
    totals: dict[tuple[int, int], list[int]] = {}
    for kind, warehouse_id, part_id, quantity in session.execute(
        sa.select(
            StockMove.kind,
            StockMove.warehouse_id,
            StockMove.part_id,
            sa.func.sum(StockMove.quantity),
        ).group_by(StockMove.kind, StockMove.warehouse_id, StockMove.part_id)
    ):
        row = totals.setdefault((warehouse_id, part_id), [0, 0])
        row[0] += sign.get(MoveKind(kind), 0) * int(quantity)
        row[1] += held.get(MoveKind(kind), 0) * int(quantity)
    problems = []
    for level in session.scalars(sa.select(StockLevel)):
        on_hand, reserved = totals.pop((level.warehouse_id, level.part_id), [0, 0])
        if (level.on_hand, level.reserved) != (on_hand, reserved):
            problems.append(
                f"warehouse {level.warehouse_id} part {level.part_id}: level "
                f"{level.on_hand}/{level.reserved}, ledger {on_hand}/{reserved}"
            )
    problems += [f"warehouse {w} part {p}: ledger rows but no level" for (w, p) in totals]
    return problems
