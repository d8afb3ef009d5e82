"""Telemetry -> the real scoring job -> alerts -> one work order -> a real receiver that verifies it.

The scorer runs once per module over a week of seeded pump telemetry in a real (SQLite) store,
with a model trained and promoted in a real registry; its per-cycle decision batches then feed
the alerts on each database backend exactly as ``vigil serve`` wires them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pandas as pd
import pytest
import sqlalchemy as sa

from alerts.flows import handle_decisions
from ingest.store.sqlite import SqliteStore
from models.base import Decision
from models.scoring import score_cycle
from models.scoring_state import ScoringState
from tests.models.conftest import fleet_frame, frame_points
from tests.models.test_scoring import ONSET, trained_registry
from tests.workorders.dbkit import Db
from tests.workorders.receiver import SECRET, Receiver
from workorders.models import WorkOrder
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus
from workorders.webhooks.scheduled import deliver_due

Cycle = tuple[datetime, list[Decision]]


@pytest.fixture(scope="module")
def cycles(tmp_path_factory: pytest.TempPathFactory) -> list[Cycle]:
    """Hourly scoring cycles over two days after p2's bearing starts to wear."""
    root: Path = tmp_path_factory.mktemp("e2e")
    fleet = fleet_frame(assets=4, hours=24 * 6, every="10min", degrade={"p2": (ONSET, 0.6)})
    # Trained on the first four days (healthy) and promoted, as the models tests do it.
    registry = trained_registry(root, fleet, [])
    store = SqliteStore(root / "telemetry.db")
    try:
        store.write(frame_points(fleet))
        state = ScoringState()
        out: list[Cycle] = []
        for hour in range(48):
            now = (ONSET + pd.Timedelta(hours=hour)).to_pydatetime()
            batch: list[Decision] = []
            score_cycle(
                store=store, registry=registry, now=now, state=state, on_decisions=batch.extend
            )
            out.append((now, batch))
    finally:
        store.close()
    return out


def test_wearing_pump_gets_exactly_one_work_order_delivered_signed(
    db: Db, cycles: list[Cycle], receiver: Receiver
) -> None:
    with db.factory() as session:
        webhooks.add_subscription(
            session=session, url=receiver.url, secret=SECRET, now=datetime.now(UTC)
        )
        session.commit()
    created: list[str] = []
    with httpx.Client() as client:
        for now, decisions in cycles:
            if decisions:
                created += handle_decisions(
                    session_factory=db.factory, decisions=decisions, now=now
                ).created
            deliver_due(session_factory=db.factory, http_client=client, now=datetime.now(UTC))

    assert sum(d.is_anomalous for _, batch in cycles for d in batch) > 3  # the fault was seen
    with db.factory() as session:
        made = [
            (w.asset.asset, w.fault_code, w.detected_at)
            for w in session.scalars(sa.select(WorkOrder))
        ]
    assert len(created) == 1, f"expected one work order (p2, mechanical), got {made}"
    with db.factory() as session:
        (wo,) = session.scalars(sa.select(WorkOrder)).all()
        deliveries = webhooks.list_deliveries(session=session, work_order_id=wo.id)
    assert (wo.asset.asset, wo.fault_code) == ("p2", "mechanical")
    assert next(iter(wo.top_metrics)) == "vibration_rms"
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert all(hit.status == 200 for hit in receiver.hits)  # the documented receiver verified each
    assert receiver.hits[0].event == "work_order.created"
    assert list(receiver.tickets) == [str(wo.id)]
    assert receiver.tickets[str(wo.id)]["version"] == wo.version
