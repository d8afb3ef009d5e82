"""The simulators' Sparkplug B gateway mode, received by Vigil's collector through Mosquitto:
one edge node per site in one process, every reading stored under its site and asset, and not
one message out of sequence."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.points import TELEMETRY
from simulators.mqtt import PublishReport
from simulators.scenario import healthy_fleet
from simulators.sparkplug_live import run_sparkplug_live
from tests.ingest.helpers import settings_for, wait_until
from vigil.embedded import ChildServer
from vigil.wiring import build_ingest, build_quarantine, build_store

pytestmark = [pytest.mark.mosquitto]


def test_sparkplug_gateway_mode(mosquitto_server: ChildServer, tmp_path: Path) -> None:
    settings = settings_for(mqtt_port=mosquitto_server.port, data_dir=tmp_path, ingest_batch_ms=50)
    store, quarantine = build_store(settings), build_quarantine(settings)
    service = build_ingest(settings, store, quarantine)
    service.start()
    assert service.subscriber.wait_connected(10)
    scenario = healthy_fleet(assets=6, interval_s=0.5, duration_s=0.5, sites=2, seed=3)
    stop = threading.Event()
    result: list[PublishReport] = []
    runner = threading.Thread(
        target=lambda: result.append(
            run_sparkplug_live(mqtt_url=settings.mqtt_url, stop=stop, scenario=scenario)
        )
    )
    runner.start()
    try:
        expected = {(a.site, a.id, a.asset_type) for a in scenario.assets}

        def stored() -> set[tuple[str, str, str]]:
            """The assets with at least 4 readings (a DBIRTH carries none: its values are null)."""
            now = datetime.now(UTC)
            frame = store.query(
                measurement=TELEMETRY,
                start=now - timedelta(hours=1),
                end=now + timedelta(minutes=1),
            )
            keys = list(zip(frame["site"], frame["asset"], frame["asset_type"], strict=True))
            return {key for key in set(keys) if keys.count(key) >= 4}

        wait_until(lambda: stored() >= expected, 20, "readings of every asset")
    finally:
        stop.set()
        runner.join(20)
        service.stop()
    assert not runner.is_alive()
    assert len(result) == 1
    assert result[0].readings_sent >= 4 * len(expected)
    assert quarantine.counts() == {}
    assert stored() == expected
    assert len({a.site for a in scenario.assets}) == 2
    store.close()
    quarantine.close()
