"""The quarterly VIP health check: one planned work order per VIP site and quarter, with each
asset's health from the stored scores; never twice (SQLite and PostgreSQL, a real SQLite
telemetry store)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from customers import service as customers
from customers.models import Tier
from followup.health import store_health
from ingest.points import ANOMALY_SCORE, Point
from ingest.store.sqlite import SqliteStore
from reports.value.health_checks import FAULT_CODE, quarter_of
from reports.value.models import VipHealthCheck
from reports.value.scheduled import quarterly_health_checks
from tests.reports.value.fixture import ACTOR, build
from tests.workorders.dbkit import Db
from workorders.models import WorkOrder
from workorders.requests.models import Channel, ServiceRequest

OCT_2 = datetime(2026, 10, 2, 6, 0, tzinfo=UTC)


def _scores(store: SqliteStore) -> None:
    """pump-a: 10 windows in September, 3 of them at or over the threshold (worst 2.4 / 1.0)."""
    tags = {"site": "alpha-plant", "asset": "pump-a", "asset_type": "pump", "detector": "if"}
    scores = [0.2, 0.3, 1.1, 0.4, 2.4, 0.5, 0.2, 1.0, 0.1, 0.3]
    start = datetime(2026, 9, 20, tzinfo=UTC)
    store.write(
        [
            Point(
                ANOMALY_SCORE,
                tags,
                {"score": s, "threshold": 1.0},
                int((start + timedelta(hours=i)).timestamp() * 1000),
            )
            for i, s in enumerate(scores)
        ]
    )


def test_one_health_check_per_vip_site_and_quarter(db: Db, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "telemetry.db")
    _scores(store)
    with db.factory() as session, session.begin():
        c = build(session)
        customers.set_tier(
            session=session, customer_id=c.alpha, tier=Tier.VIP, actor=ACTOR, now=OCT_2
        )
    health = store_health(store)
    first = quarterly_health_checks(session_factory=db.factory, health=health, now=OCT_2)
    assert len(first) == 1
    # Later the same quarter, and a restart: nothing more.
    assert (
        quarterly_health_checks(
            session_factory=db.factory, health=health, now=OCT_2 + timedelta(days=40)
        )
        == []
    )
    with db.factory() as session:
        check = session.scalars(sa.select(VipHealthCheck)).one()
        assert (check.customer_id, check.quarter) == (c.alpha, "2026Q4")
        assert check.summary == [
            {
                "asset": "pump-a",
                "asset_type": "pump",
                "windows": 10,
                "abnormal_windows": 3,
                "abnormal_share": 0.3,
                "worst": {
                    "at": "2026-09-20T04:00:00+00:00",
                    "score": 2.4,
                    "threshold": 1.0,
                },
            }
        ]
        wo = session.get_one(WorkOrder, check.work_order_id)
        assert wo.number == first[0]
        assert wo.fault_code == FAULT_CODE
        assert (
            "3 of 10 windows abnormal (30.0 %)"
            in (
                session.scalars(sa.select(ServiceRequest).filter_by(work_order_id=wo.id)).one()
            ).description
        )
        request = session.scalars(sa.select(ServiceRequest).filter_by(work_order_id=wo.id)).one()
        assert request.channel is Channel.PREVENTIVE
    # The next quarter gets its own.
    assert (
        len(
            quarterly_health_checks(
                session_factory=db.factory, health=health, now=datetime(2027, 1, 1, 1, tzinfo=UTC)
            )
        )
        == 1
    )


def test_quarters() -> None:
    assert quarter_of(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)).label == "2026Q4"
    assert quarter_of(datetime(2027, 1, 1, tzinfo=UTC)).start == datetime(2027, 1, 1, tzinfo=UTC)
    assert quarter_of(datetime(2026, 4, 1, tzinfo=UTC)).label == "2026Q2"
