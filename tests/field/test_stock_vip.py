"""Parts reserved first for VIP customers: when stock is short, a VIP customer's work order takes
parts held for other customers' open work, newest reservations first, with the reason in the
ledger; never from another VIP, and all or nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Tier
from field.stock import ledger, priority
from field.stock.models import MoveKind, Part, Reservation, StockMove, Warehouse
from field.stock.suggest import reserve_suggested
from tests.field.stock_builders import NOW, level, open_wo, receive, reserve, setup
from tests.workorders.dbkit import Db
from workorders.models import WorkOrder


def _wo(session: Session, asset: str, tier: Tier) -> WorkOrder:
    wo = open_wo(session, asset=asset)
    wo.asset.customer_tier = tier  # an asset without a site record: its own tier rules
    session.flush()
    return wo


def _held(session: Session, wo: WorkOrder) -> int:
    return sum(session.scalars(sa.select(Reservation.quantity).filter_by(work_order_id=wo.id)))


def _take_first(
    session: Session, wo: WorkOrder, warehouse: Warehouse, part: Part, quantity: int
) -> list[priority.Taken]:
    """Reserve, a VIP's work order first; what it took from others' reservations."""
    _, taken = priority.reserve_first(
        session=session,
        work_order_id=wo.id,
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        actor="desk",
        now=NOW,
    )
    return taken


def test_a_vip_work_order_takes_the_newest_other_reservations_when_short(db: Db) -> None:
    with db.factory() as session:
        central, _van, bearing, _seal = setup(session)
        receive(session, central, bearing, 4)
        older = _wo(session, "pump-1", Tier.STANDARD)
        newer = _wo(session, "pump-2", Tier.BASIC)
        vip_other = _wo(session, "pump-3", Tier.VIP)
        for wo in (older, vip_other, newer):
            _take_first(
                session, wo, central, bearing, 1 if wo is vip_other else (2 if wo is older else 1)
            )
        assert level(session, "central", "SKF-6205") == (4, 4)
        # A standard customer's work order, short: refused as ever.
        plain = _wo(session, "pump-4", Tier.STANDARD)
        with pytest.raises(ledger.OutOfStock, match="0 free there now"):
            _take_first(session, plain, central, bearing, 1)
        vip = _wo(session, "pump-5", Tier.VIP)
        taken = _take_first(session, vip, central, bearing, 2)
        # The newest non-VIP reservation first (newer's 1), then the older one's.
        assert taken == [priority.Taken(newer.number, 1), priority.Taken(older.number, 1)]
        assert [_held(session, wo) for wo in (older, newer, vip_other, vip)] == [1, 0, 1, 2]
        assert level(session, "central", "SKF-6205") == (4, 4)
        notes = session.scalars(
            sa.select(StockMove.note).where(StockMove.kind == MoveKind.RELEASE.value)
        ).all()
        assert notes == [f"taken for VIP work order {vip.number}"] * 2
        # More than free plus what non-VIP work holds: refused, nothing moved.
        with pytest.raises(ledger.OutOfStock, match="1 held for other customers' work"):
            _take_first(session, vip, central, bearing, 2)
        assert [_held(session, wo) for wo in (older, newer, vip_other, vip)] == [1, 0, 1, 2]


def test_a_vip_work_order_with_enough_free_stock_takes_nothing_from_others(db: Db) -> None:
    with db.factory() as session:
        central, _van, bearing, _seal = setup(session)
        receive(session, central, bearing, 3)
        other = _wo(session, "pump-1", Tier.STANDARD)
        reserve(session, other, central, bearing, 1)
        vip = _wo(session, "pump-2", Tier.VIP)
        taken = _take_first(session, vip, central, bearing, 2)
        assert taken == []
        assert [_held(session, wo) for wo in (other, vip)] == [1, 2]


def test_at_dispatch_a_vip_work_order_takes_a_held_part_when_none_is_free(db: Db) -> None:
    with db.factory() as session:
        central, van, bearing, _seal = setup(session)
        receive(session, central, bearing, 1)
        other = _wo(session, "pump-1", Tier.STANDARD)
        reserve(session, other, central, bearing, 1)
        plain = _wo(session, "pump-2", Tier.STANDARD)
        held = reserve_suggested(
            session=session, work_order=plain, warehouses=[van, central], actor="d", now=NOW
        )
        assert held.reserved == []
        vip = _wo(session, "pump-3", Tier.VIP)
        held = reserve_suggested(
            session=session, work_order=vip, warehouses=[van, central], actor="d", now=NOW
        )
        assert held.reserved == [f"SKF-6205 from central (taken from {other.number})"]
        assert held.missing == ["MS-40 (Mechanical seal 40 mm): none free in van-ana, central"]
        assert [_held(session, wo) for wo in (other, vip)] == [0, 1]
