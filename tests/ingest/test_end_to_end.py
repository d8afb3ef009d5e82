"""Gateways -> real Mosquitto -> collector -> real InfluxDB, counted with InfluxQL."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.points import TELEMETRY
from simulators import basic_fleet_messages, publish
from tests.ingest.helpers import settings_for, wait_until
from vigil.embedded import ChildServer
from vigil.wiring import build_ingest, build_quarantine, build_store, wait_for_store

pytestmark = [pytest.mark.mosquitto, pytest.mark.influxdb]

ASSETS, PER_ASSET = 100, 200
START_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)


def test_fleet_is_stored_once_even_when_republished(
    mosquitto_server: ChildServer, influx_db: tuple[str, str], tmp_path: Path
) -> None:
    settings = settings_for(mqtt_port=mosquitto_server.port, data_dir=tmp_path, influx=influx_db)
    store, quarantine = build_store(settings), build_quarantine(settings)
    assert wait_for_store(store, threading.Event(), timeout=30)
    service = build_ingest(settings, store, quarantine)
    service.start()
    assert service.subscriber.wait_connected(10)
    url = f"mqtt://127.0.0.1:{mosquitto_server.port}"
    try:
        messages = list(
            basic_fleet_messages(
                assets=ASSETS, readings_per_asset=PER_ASSET, batch=1, seed=7, start_ms=START_MS
            )
        )
        first = publish(mqtt_url=url, messages=messages, qos=1)
        again = random.Random(3).sample(messages, len(messages) // 10)
        second = publish(mqtt_url=url, messages=again, qos=1)
        total = len(messages) + len(again)
        wait_until(lambda: service.collector.stats.messages >= total, 120, "all messages collected")
        wait_until(lambda: service.collector.backlog == 0, 30, "the backlog to drain")
    finally:
        service.stop()

    start = datetime.fromtimestamp(START_MS / 1000, UTC)
    stored = store.count(
        measurement=TELEMETRY, field="vibration_rms", start=start, end=start + timedelta(days=1)
    )
    stats = service.collector.stats
    print(
        f"\npublished {first.messages_acked} + republished {second.messages_acked}, "
        f"collected {stats.messages}, stored points {stored}, "
        f"duplicates {stats.readings_stored - stored}, quarantined {stats.quarantined_total}"
    )
    assert first.messages_acked == ASSETS * PER_ASSET
    assert second.messages_acked == len(again)
    assert stored == ASSETS * PER_ASSET, "every reading stored, none twice"
    assert stats.quarantined_total == 0
    frame = store.query(
        measurement=TELEMETRY, start=start, end=start + timedelta(days=1), assets=["a0001"]
    )
    assert len(frame) == PER_ASSET
    assert frame["time"].is_monotonic_increasing
    store.close()
    quarantine.close()
