"""Spare parts: quantities never go below zero, every movement is in the ledger, and of two
engineers taking the last part at once exactly one gets it (the other a clear message)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from field.stock import catalogue, ledger, queries, service
from field.stock.models import (
    Part,
    PartCreate,
    Reservation,
    StockLevel,
    StockMove,
    Warehouse,
    WarehouseCreate,
)
from field.stock.suggest import reserve_suggested, suggest_parts
from tests.field.stock_builders import NOW, consume, level, open_wo, receive, reserve, setup
from tests.workorders.dbkit import Db
from workorders import service as workorders
from workorders.models import Asset, WorkOrder


def test_reserve_use_return_and_the_ledger_adds_up(db: Db) -> None:
    with db.factory() as session:
        _central, van, bearing, _seal = setup(session)
        receive(session, van, bearing, 3)
        wo = open_wo(session)
        reserve(session, wo, van, bearing, 2)
        assert level(session, "van-ana", "SKF-6205") == (3, 2)
        with pytest.raises(ledger.OutOfStock, match="1 free there now"):
            reserve(session, wo, van, bearing, 2)
        # Found by its barcode, as scanned; uses the two held, then one free.
        scanned = catalogue.find_part(session=session, code=" 4006593001234 ")
        consume(session, wo, van, scanned, 3, now=NOW + timedelta(hours=2))
        assert level(session, "van-ana", "SKF-6205") == (0, 0)
        with pytest.raises(ledger.OutOfStock, match=r"take 1 x SKF-6205 .* 0 free"):
            consume(session, wo, van, bearing, 1)
        service.return_part(
            session=session,
            warehouse=van,
            part=bearing,
            quantity=1,
            actor="ana",
            now=NOW + timedelta(hours=3),
            work_order_id=wo.id,
        )
        assert level(session, "van-ana", "SKF-6205") == (1, 0)
        with pytest.raises(ledger.OutOfStock):
            service.adjust(
                session=session,
                warehouse=van,
                part=bearing,
                delta=-2,
                actor="x",
                now=NOW,
                note="count",
            )
        service.adjust(
            session=session,
            warehouse=van,
            part=bearing,
            delta=-1,
            actor="x",
            now=NOW,
            note="lost on site",
        )
        assert queries.reconcile(session=session) == []
        history = queries.moves(session=session, asset_id=wo.asset_id)
        assert [(m.kind, m.quantity) for m, _, _ in history] == [("consume", 3)]
        kinds = [m.kind for m, _, _ in queries.moves(session=session, work_order_id=wo.id)]
        assert sorted(kinds) == ["consume", "release", "reserve", "return"]


def test_low_stock_list_and_bad_quantities(db: Db) -> None:
    with db.factory() as session:
        central, _van, bearing, seal = setup(session)
        receive(session, central, seal, 5)
        receive(session, central, bearing, 2)
        catalogue.set_min_level(session=session, warehouse=central, part=seal, min_level=2)
        catalogue.set_min_level(session=session, warehouse=central, part=bearing, min_level=2)
        assert [r.part_number for r in queries.levels(session=session, low_only=True)] == [
            "SKF-6205"
        ]
        for bad in (0, -1):
            with pytest.raises(ledger.StockError, match="positive whole number"):
                service.receive(
                    session=session, warehouse=central, part=seal, quantity=bad, actor="s", now=NOW
                )
        with pytest.raises(ledger.StockError, match="exists already"):
            catalogue.add_part(session=session, data=PartCreate(part_number="MS-40", name="again"))
        with pytest.raises(catalogue.NotFound, match="no part with number or barcode 'XX'"):
            catalogue.find_part(session=session, code="XX")


def test_two_engineers_take_the_last_part_at_once_and_one_gets_it(db: Db) -> None:
    # Real commits on their own connections: unique names, and everything deleted after.
    tag = uuid.uuid4().hex[:6]
    with db.committed() as session:
        van = catalogue.add_warehouse(
            session=session, data=WarehouseCreate(code=f"van-{tag}", name="Van")
        )
        part = catalogue.add_part(
            session=session, data=PartCreate(part_number=f"P-{tag}", name="Last one")
        )
        receive(session, van, part, 1)
        orders = [open_wo(session, f"pump-{tag}-{i}") for i in (1, 2)]
        session.commit()
        van_id, part_id = van.id, part.id
        asset_ids = [wo.asset_id for wo in orders]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(work_order: WorkOrder) -> None:
        barrier.wait(timeout=10)  # before any statement: SQLite locks at the first one
        with db.committed() as mine:
            warehouse, taken = mine.get(Warehouse, van_id), mine.get(Part, part_id)
            assert warehouse is not None
            assert taken is not None
            try:
                service.consume(
                    session=mine,
                    work_order_id=work_order.id,
                    asset_id=work_order.asset_id,
                    warehouse=warehouse,
                    part=taken,
                    quantity=1,
                    actor="eng",
                    now=NOW,
                )
                mine.commit()
                outcomes.append("took it")
            except ledger.OutOfStock as error:
                mine.rollback()
                outcomes.append(str(error))

    threads = [threading.Thread(target=take, args=(wo,)) for wo in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert len(outcomes) == 2
        assert sorted(outcomes)[1] == "took it"
        assert "0 free there now" in sorted(outcomes)[0]
        with db.committed() as session:
            assert level(session, f"van-{tag}", f"P-{tag}") == (0, 0)
            assert queries.reconcile(session=session) == []
    finally:
        with db.committed() as session:
            session.execute(sa.delete(StockMove).where(StockMove.part_id == part_id))
            session.execute(sa.delete(Reservation).where(Reservation.part_id == part_id))
            session.execute(sa.delete(StockLevel).where(StockLevel.part_id == part_id))
            session.execute(sa.delete(Part).where(Part.id == part_id))
            session.execute(sa.delete(Warehouse).where(Warehouse.id == van_id))
            for wo in orders:
                session.delete(workorders.get_work_order(session=session, ref=wo.id))
            session.flush()
            session.execute(sa.delete(Asset).where(Asset.id.in_(asset_ids)))
            session.commit()


def test_suggested_parts_come_from_what_fixed_the_fault_before(db: Db) -> None:
    with db.factory() as session:
        central, _van, bearing, seal = setup(session)
        receive(session, central, bearing, 4)
        receive(session, central, seal, 4)
        # With no history, the catalogue's parts for the asset type.
        fresh = suggest_parts(session=session, fault_code="mechanical", asset_type="pump")
        assert [s.part.part_number for s in fresh] == ["MS-40", "SKF-6205"]
        earlier = open_wo(session, "pump-1")
        consume(session, earlier, central, bearing, 1)
        later = open_wo(session, "pump-9")
        found = suggest_parts(
            session=session, fault_code="mechanical", asset_type="pump", exclude_work_order=later.id
        )
        assert [s.part.part_number for s in found] == ["SKF-6205"]
        assert found[0].reasons[0] == "used on 1 earlier mechanical repair(s) of pump"
        assert found[0].free == 3
        held = reserve_suggested(
            session=session, work_order=later, warehouses=[central], actor="dispatch", now=NOW
        )
        assert (held.reserved, held.missing) == (["SKF-6205 from central"], [])
        assert level(session, "central", "SKF-6205") == (3, 1)
        assert suggest_parts(session=session, fault_code="electrical", asset_type="crane") == []
