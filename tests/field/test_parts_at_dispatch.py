"""Suggested parts are held when an engineer is sent: from their van first, else the central
store, said plainly when nobody has one; given back on reassignment and when the work is
cancelled; a part used from elsewhere frees its hold. SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.stock import catalogue, holds
from field.stock.models import MoveKind, Reservation, StockMove
from tests.field.builders import make_engineer, open_work_order, send
from tests.field.fixtures import NOW
from tests.field.stock_builders import bearing, consume, level, receive, seal, warehouse
from tests.workorders.dbkit import Db
from workorders import service as workorders
from workorders.models import Status

MISSING_BEARING = "SKF-6205 (Bearing 6205-2RS): none free in van-bo, central"


def stock(session: Session, ana: int, bo: int) -> None:
    """A central store and Ana's and Bo's vans: Ana carries a bearing, Bo a seal, the central
    store two seals."""
    central = warehouse(session, "central")
    van_ana = warehouse(session, "van-ana", engineer_id=ana)
    van_bo = warehouse(session, "van-bo", engineer_id=bo)
    a_bearing, a_seal = bearing(session), seal(session)
    for where, part, count in ((van_ana, a_bearing, 1), (central, a_seal, 2), (van_bo, a_seal, 1)):
        receive(session, where, part, count, now=NOW)


def test_parts_are_held_at_dispatch_moved_on_reassignment_and_given_back(db: Db) -> None:
    with db.factory() as session, session.begin():
        ana = make_engineer(session, "ana", base="villeurbanne")
        bo = make_engineer(session, "bo", base="lyon")
        stock(session, ana.id, bo.id)
        first, second = open_work_order(session), open_work_order(session)

        # Ana carries the bearing; the seal comes from the central store.
        sent = send(session, first, ana)
        assert sent.parts_held == ["MS-40 from central", "SKF-6205 from van-ana"]
        assert sent.parts_missing == []
        assert level(session, "van-ana", "SKF-6205") == (1, 1)
        assert level(session, "central", "MS-40") == (2, 1)

        # Bo has a seal in his van; no bearing is free anywhere he may take one from.
        other = send(session, second, bo)
        assert other.parts_held == ["MS-40 from van-bo"]
        assert other.parts_missing == [MISSING_BEARING]

        # The first job goes to Bo: Ana's bearing is free again, the seal held anew.
        moved = send(session, first, bo)
        assert level(session, "van-ana", "SKF-6205") == (1, 0)
        assert moved.parts_held == ["MS-40 from central"]  # his van's seal is held for job two
        assert moved.parts_missing == [MISSING_BEARING]
        assert level(session, "central", "MS-40") == (2, 1)

        # Job two's seal was taken from the central store instead of the van: the van's hold
        # goes back, the central store's other hold (job one's) stays.
        central = catalogue.find_warehouse(session=session, code="central")
        seal_40 = catalogue.find_part(session=session, code="MS-40")
        consume(session, second, central, seal_40, 1, now=NOW)
        assert level(session, "van-bo", "MS-40") == (1, 0)
        assert level(session, "central", "MS-40") == (1, 1)

        # Job one is cancelled: the sweep gives back what it held.
        workorders.transition(
            session=session,
            work_order_id=first.id,
            to=Status.CANCELLED,
            expected_version=None,
            actor="dispatch",
            now=NOW,
        )
        assert holds.release_finished(session=session, actor="vigil", now=NOW) == 1
        assert level(session, "central", "MS-40") == (1, 0)
        assert holds.release_finished(session=session, actor="vigil", now=NOW) == 0
        held = session.scalars(sa.select(sa.func.sum(Reservation.quantity))).one()
        assert held == 0
        kinds = session.scalars(
            sa.select(StockMove.kind)
            .where(StockMove.work_order_id == first.id)
            .order_by(StockMove.id)
        ).all()
        assert kinds == [
            MoveKind.RESERVE, MoveKind.RESERVE,  # at Ana's dispatch
            MoveKind.RELEASE, MoveKind.RELEASE,  # reassigned to Bo
            MoveKind.RESERVE,  # Bo's seal from the central store
            MoveKind.RELEASE,  # cancelled
        ]  # fmt: skip


def test_resolving_gives_back_what_was_not_used(db: Db) -> None:
    with db.factory() as session, session.begin():
        ana = make_engineer(session, "ana", base="villeurbanne")
        bo = make_engineer(session, "bo", base="lyon")
        stock(session, ana.id, bo.id)
        wo = open_work_order(session)
        send(session, wo, ana, actor="dispatch")
        done = workorders.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.RESOLVED,
            expected_version=None,
            actor="ana",
            now=NOW,
        )
        assert holds.release_if_done(session=session, wo=done, actor="ana", now=NOW) == 2
        assert level(session, "van-ana", "SKF-6205") == (1, 0)
        assert level(session, "central", "MS-40") == (2, 0)
