"""PostgreSQL killed and restarted while scoring cycles keep handing decisions to the alerts.

The scoring job runs every cycle whatever happened to the previous one: a cycle whose database
transaction fails is lost as a whole (alerts and work order commit together or not at all), and
the fault's later windows carry the evidence again. Afterwards there must be exactly one work
order and exactly one `work_order.created` event for the ticketing system: none lost, none twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from alerts.flows import handle_decisions
from tests.alerts.test_bearing_wear import bearing_wear
from vigil import db
from vigil.embedded import ChildServer
from workorders.db import make_engine, session_factory
from workorders.models import WorkOrder
from workorders.webhooks.models import OutboxEvent

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_no_work_order_lost_or_doubled_across_a_database_outage(
    start_postgres: object,
) -> None:
    server: ChildServer = start_postgres()  # type: ignore[operator]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres"
    db.upgrade(url)
    engine = make_engine(url, pool_pre_ping=True)
    sessions = session_factory(engine)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    decisions = bearing_wear(start)
    cycles = [decisions[i : i + 5] for i in range(0, len(decisions), 5)]
    # Without an outage the work order opens in cycle 19 of these 30 (the alert's third
    # anomalous window). Down over cycles 16-21: the cycles that would open it fail, so the work
    # order must come from the cycles after the restart.
    assert len(cycles) == 30
    down = range(16, 22)
    failed = 0
    try:
        for index, cycle in enumerate(cycles):
            if index == down.start:
                server.kill()
            if index == down.stop:
                server.start(timeout=60)
            try:
                handle_decisions(
                    session_factory=sessions,
                    decisions=cycle,
                    now=cycle[-1].at + timedelta(seconds=1),
                )
            except DBAPIError:
                failed += 1
        with sessions() as session:
            orders = session.scalars(sa.select(WorkOrder)).all()
            created = session.scalars(
                sa.select(OutboxEvent).where(OutboxEvent.event_type == "work_order.created")
            ).all()
    finally:
        engine.dispose()
    print(
        f"\n{len(cycles)} cycles, {failed} failed while PostgreSQL was down, "
        f"{len(orders)} work order(s), {len(created)} created event(s)"
    )
    assert failed == len(down), "every cycle during the outage failed, none after it"
    assert len(orders) == 1
    assert orders[0].fault_code == "mechanical"
    # The outage really covered the moment the work order would have opened.
    assert orders[0].created_at > cycles[down.stop - 1][-1].at, orders[0].created_at
    assert len(created) == 1
