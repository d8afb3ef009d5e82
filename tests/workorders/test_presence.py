"""Gateway outages as data-quality work orders: opened after the delay, one per outage, closed
when the gateway is back, nothing for a storm of short drops (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from ingest.presence import PresenceTracker
from ingest.status import status_point
from ingest.store.sqlite import SqliteStore
from models.base import Decision
from tests.workorders.dbkit import Db
from workorders import from_alerts
from workorders.models import Kind, ResolutionCode, Status, WorkOrder
from workorders.presence import OutageWatch

DELAY = timedelta(seconds=60)


def test_outage_lifecycle(db: Db, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "telemetry.db")
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    watch = OutageWatch(
        session_factory=db.factory,
        tracker=PresenceTracker(store, first_lookback=timedelta(days=1)),
        open_after=DELAY,
    )

    def status(seconds: float, online: bool) -> None:
        at = t0 + timedelta(seconds=seconds)
        store.write([status_point("s1", "pump-1", online=online, ts_ms=int(at.timestamp() * 1000))])

    def check(seconds: float) -> tuple[list[str], list[str]]:
        report = watch.check(t0 + timedelta(seconds=seconds))
        return report.opened, report.closed

    def orders() -> list[WorkOrder]:
        with db.factory() as session:
            return list(session.scalars(sa.select(WorkOrder)))

    status(0, True)
    assert check(1) == ([], [])
    status(10, False)
    assert check(12) == ([], [])  # not offline for long enough yet
    opened, _ = check(71)
    assert len(opened) == 1
    assert check(80) == ([], [])  # the same outage: nothing more
    (order,) = orders()
    assert (order.kind, order.fault_code, order.detector) == (
        Kind.DATA_QUALITY,
        "dq_gateway_offline",
        "presence",
    )

    status(90, True)
    assert check(91) == ([], [order.number])
    (order,) = orders()
    assert (order.status, order.resolution_code) == (Status.CLOSED, ResolutionCode.NO_FAULT_FOUND)

    # A reconnect storm: twenty drops of a second or two, back online at the end.
    for i in range(20):
        status(100 + 2 * i, False)
        status(101 + 2 * i, True)
        check(101.5 + 2 * i)
    assert check(300) == ([], [])
    assert [(o.status, o.repeat_count) for o in orders()] == [(Status.CLOSED, 0)]

    # A second long outage reopens the same work order as a repeat (one per outage).
    status(400, False)
    opened, _ = check(470)
    assert opened == [order.number]
    (order,) = orders()
    assert (order.status, order.repeat_count) == (Status.REOPENED, 1)
    status(500, True)
    assert check(501) == ([], [order.number])

    # The scorer's "no readings" check may open it first: no second one, closed all the same.
    status(600, False)
    scorer = Decision(
        site="s1",
        asset="pump-1",
        asset_type="pump",
        at=t0 + timedelta(seconds=620),
        fault_code="dq_gateway_offline",
        score=1.0,
        threshold=0.5,
        is_anomalous=True,
        detector="data_quality",
        model_version="v1",
    )
    with db.factory() as session, session.begin():
        from_alerts.open_for_alert(session=session, decision=scorer, now=scorer.at)
    assert check(661) == ([], [])
    status(700, True)
    assert check(701) == ([], [order.number])
    (order,) = orders()
    assert (order.status, order.repeat_count, order.detector) == (Status.CLOSED, 2, "data_quality")
    store.close()
