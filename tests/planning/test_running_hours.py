"""A running-hours plan on simulated telemetry: simulator -> real Mosquitto -> collector -> store.

A simulated air compressor publishes three days of readings (its ``operating_hours`` counter
among them) over MQTT; the real collector stores them. The plan job then runs every half hour of
simulated time, on each database backend, reading the counter from that store as ``vigil serve``
does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingest.points import TELEMETRY
from ingest.store.sqlite import SqliteStore
from planning import scheduled
from planning.models import Occurrence, OccurrenceStatus
from planning.readings import COUNTER, store_readings
from simulators import ScenarioMessages, publish
from simulators.scenario import parse_scenario
from tests.ingest.helpers import settings_for, wait_until
from tests.planning.builders import finish, plan
from tests.workorders.dbkit import Db
from vigil.embedded import ChildServer
from vigil.wiring import build_ingest, build_quarantine, build_store, wait_for_store
from workorders import service as wo_service
from workorders.assets import ensure_asset

pytestmark = [pytest.mark.mosquitto]

START = datetime(2026, 11, 2, tzinfo=UTC)
ASSET = "works-air_compressor-001"
INTERVAL, LEAD = 24.0, 4.0
STEP = timedelta(minutes=30)
RUNS = 6 * 24  # three days of half-hour runs


@dataclass(frozen=True)
class Published:
    store: Path
    counter: list[tuple[datetime, float]]


@pytest.fixture(scope="module")
def published(mosquitto_server: ChildServer, tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("running-hours")
    settings = settings_for(mqtt_port=mosquitto_server.port, data_dir=root)
    store, quarantine = build_store(settings), build_quarantine(settings)
    assert wait_for_store(store, threading.Event(), timeout=30)
    scenario = parse_scenario(
        {
            "name": "pm-running-hours",
            "seed": 3,
            "duration": "3d",
            "reading_interval": "10m",
            "sites": [{"id": "works", "climate": {"mean": 12.0, "utc_offset_h": 1.0}}],
            "fleets": [{"site": "works", "type": "air_compressor", "count": 1}],
        }
    )
    messages = ScenarioMessages(
        scenario,
        seed=3,
        start_s=START.timestamp(),
        batch=20,
        topic_template=settings.topic_template,
    )
    service = build_ingest(settings, store, quarantine)
    service.start()
    try:
        assert service.subscriber.wait_connected(10)
        report = publish(mqtt_url=settings.mqtt_url, messages=messages, qos=1)
        assert report.messages_acked == messages.messages
        stats = service.collector.stats
        wait_until(
            lambda: stats.readings_stored >= messages.expected_readings, 60, "readings stored"
        )
    finally:
        service.stop()
    frame = store.query(
        measurement=TELEMETRY,
        start=START,
        end=START + timedelta(days=3),
        assets=[ASSET],
        fields=[COUNTER],
    )
    store.close()
    quarantine.close()
    counter = [
        (t.to_pydatetime(), float(v)) for t, v in zip(frame["time"], frame[COUNTER], strict=True)
    ]
    assert len(counter) == 3 * 24 * 6
    return Published(root / "telemetry.db", counter)


def _counter_before(counter: list[tuple[datetime, float]], now: datetime) -> float:
    return [v for t, v in counter if t < now][-1]


def _first_run_at_or_over(counter: list[tuple[datetime, float]], value: float) -> datetime:
    for k in range(1, RUNS + 1):
        now = START + k * STEP
        if _counter_before(counter, now) >= value:
            return now
    raise AssertionError(f"the counter never reaches {value}")


def test_the_work_order_opens_when_the_counter_reaches_the_interval_minus_the_lead_once(
    db: Db, published: Published
) -> None:
    with db.factory() as session:
        ensure_asset(
            session=session, site="works", asset=ASSET, asset_type="air_compressor", now=START
        )
        plan(session, now=START, name="Compressor service", asset_type="air_compressor",
             trigger="running_hours", interval_hours=INTERVAL, lead_hours=LEAD,
             steps=["Change the oil filter", "Check the belt tension"])  # fmt: skip
        session.commit()
    counter = published.counter
    baseline = _counter_before(counter, START + STEP)  # what the first run sees
    first_expected = _first_run_at_or_over(counter, baseline + INTERVAL - LEAD)
    store = SqliteStore(published.store)
    made: list[tuple[datetime, str]] = []
    finished_at: datetime | None = None
    try:
        read = store_readings(store)
        for k in range(1, RUNS + 1):
            now = START + k * STEP
            report = scheduled.run(session_factory=db.factory, read=read, now=now)
            made += [(now, number) for number in report.created]
            assert report.attached == []
            if now == START + timedelta(hours=30):
                # The engineer does the service six hours after it fell due (10 h after opening).
                with db.factory() as session:
                    finish(session, made[0][1], now=now - timedelta(minutes=10))
                    session.commit()
                finished_at = now - timedelta(minutes=10)
    finally:
        store.close()
    assert finished_at is not None
    done_hours = [v for t, v in counter if t <= finished_at][-1]
    second_expected = _first_run_at_or_over(counter, done_hours + INTERVAL - LEAD)
    # Exactly two work orders in three days: one per interval, each at interval minus lead.
    assert [at for at, _ in made] == [first_expected, second_expected]
    assert first_expected - START == pytest.approx(timedelta(hours=20.5), abs=timedelta(hours=1))
    with db.factory() as session:
        rows = list(session.scalars(sa.select(Occurrence).order_by(Occurrence.id)))
        wo = wo_service.get_work_order(session=session, ref=made[0][1])
    assert [o.due_key for o in rows] == [
        f"{baseline + INTERVAL:.1f}h",
        f"{done_hours + INTERVAL:.1f}h",
    ]
    first, second = rows
    assert first.status is OccurrenceStatus.DONE
    assert first.done_hours == pytest.approx(done_hours)
    # It fell due at the first reading at or over the due counter value.
    assert first.due_at == next(t for t, v in counter if v >= baseline + INTERVAL)
    assert second.status is OccurrenceStatus.OPEN
    assert second.due_at == next(t for t, v in counter if v >= done_hours + INTERVAL)
    assert wo.suggested_actions == ["Change the oil filter", "Check the belt tension"]
    assert wo.fault_title.startswith("Preventive maintenance: Compressor service")
