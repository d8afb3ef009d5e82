"""Parts to bring for a fault: what fixed the same fault on the same kind of equipment before,
and what the catalogue lists for it, with free stock and reasons."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Tier
from field.stock import ledger, priority, service
from field.stock.models import MoveKind, Part, StockLevel, StockMove, Warehouse
from workorders.models import Asset, WorkOrder

# A part that fixed this fault before counts for more than one the catalogue merely allows.
HISTORY_WEIGHT = 2.0
CATALOGUE_WEIGHT = 1.0


@dataclass(frozen=True)
class PartSuggestion:
    part: Part
    score: float
    reasons: list[str]
    free: int


def suggest_parts(
    *,
    session: Session,
    fault_code: str,
    asset_type: str,
    asset_model: str | None = None,
    exclude_work_order: uuid.UUID | None = None,
    limit: int = 5,
) -> list[PartSuggestion]:
    history = (
        sa.select(StockMove.part_id, sa.func.count(sa.distinct(WorkOrder.id)))
        .join(WorkOrder, WorkOrder.id == StockMove.work_order_id)
        .join(Asset, Asset.id == WorkOrder.asset_id)
        .where(
            StockMove.kind == MoveKind.CONSUME.value,
            WorkOrder.fault_code == fault_code,
            Asset.asset_type == asset_type,
        )
        .group_by(StockMove.part_id)
    )
    if exclude_work_order is not None:
        history = history.where(WorkOrder.id != exclude_work_order)
    scores: dict[int, tuple[float, list[str]]] = {}
    fixed_it: set[int] = set()
    for part_id, times in session.execute(history):
        fixed_it.add(part_id)
        scores[part_id] = (
            HISTORY_WEIGHT * times,
            [f"used on {times} earlier {fault_code} repair(s) of {asset_type}"],
        )
    for part in session.scalars(sa.select(Part).where(Part.active.is_(True))):
        reason = None
        if asset_model and asset_model in part.asset_models:
            reason = f"catalogue: fits model {asset_model}"
        elif asset_type in part.asset_types:
            reason = f"catalogue: fits {asset_type}"
        if reason is None:
            continue
        score, reasons = scores.get(part.id, (0.0, []))
        scores[part.id] = (score + CATALOGUE_WEIGHT, [*reasons, reason])
    if not scores:
        return []
    # Only what history names gets suggested for the fault; the catalogue alone names every
    # part of the type, so it only adds weight to those (or fills in when there is no history).
    if fixed_it:
        scores = {k: v for k, v in scores.items() if k in fixed_it}
    parts = {p.id: p for p in session.scalars(sa.select(Part).where(Part.id.in_(scores)))}
    free = dict(
        session.execute(
            sa.select(StockLevel.part_id, sa.func.sum(StockLevel.on_hand - StockLevel.reserved))
            .where(StockLevel.part_id.in_(scores))
            .group_by(StockLevel.part_id)
        ).all()
    )
    found = [
        PartSuggestion(parts[i], score, reasons, int(free.get(i) or 0))
        for i, (score, reasons) in scores.items()
    ]
    found.sort(key=lambda s: (-s.score, s.part.part_number))
    return found[:limit]


@dataclass(frozen=True)
class Held:
    """What a dispatch holds: part numbers with the warehouse each came from, and a message for
    each suggested part that nobody had free."""

    reserved: list[str]
    missing: list[str]


def reserve_suggested(
    *,
    session: Session,
    work_order: WorkOrder,
    warehouses: Sequence[Warehouse],
    actor: str,
    now: datetime,
) -> Held:
    """At dispatch: hold one of each suggested part in the first of ``warehouses`` (the
    engineer's van, then the central stores) that has it free."""
    reserved, missing = [], []
    for suggestion in suggest_parts(
        session=session,
        fault_code=work_order.fault_code,
        asset_type=work_order.asset.asset_type,
        asset_model=work_order.asset.model,
        exclude_work_order=work_order.id,
    ):
        part = suggestion.part
        for warehouse in warehouses:
            try:
                with session.begin_nested():
                    service.reserve(
                        session=session,
                        work_order_id=work_order.id,
                        warehouse=warehouse,
                        part=part,
                        quantity=1,
                        actor=actor,
                        now=now,
                    )
            except ledger.OutOfStock:
                continue
            reserved.append(f"{part.part_number} from {warehouse.code}")
            break
        else:
            # None free anywhere: a VIP customer's work takes one held for other work.
            taken = _vip_take(session, work_order, warehouses, part, actor, now)
            if taken is not None:
                reserved.append(taken)
                continue
            where = ", ".join(w.code for w in warehouses) or "no warehouse"
            missing.append(f"{part.part_number} ({part.name}): none free in {where}")
    return Held(reserved, missing)


def _vip_take(
    session: Session,
    work_order: WorkOrder,
    warehouses: Sequence[Warehouse],
    part: Part,
    actor: str,
    now: datetime,
) -> str | None:
    if work_order.asset.tier is not Tier.VIP:
        return None
    for warehouse in warehouses:
        try:
            with session.begin_nested():
                _, taken = priority.reserve_first(
                    session=session,
                    work_order_id=work_order.id,
                    warehouse=warehouse,
                    part=part,
                    quantity=1,
                    actor=actor,
                    now=now,
                )
        except ledger.OutOfStock:
            continue
        return f"{part.part_number} from {warehouse.code} (taken from {taken[0].work_order})"
    return None
