"""`vigil ingest`'s Prometheus endpoint scraped during a real run (real Mosquitto, real InfluxDB).

With one process it serves its own metrics; with --workers 2 the supervising process serves the
two workers' metrics summed. Either way the readings counter must equal what InfluxDB holds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ingest.points import TELEMETRY
from ingest.store.influx_v1 import InfluxV1Store
from simulators import publish
from tests.ingest.helpers import wait_until
from vigil.embedded import ChildServer

pytestmark = [pytest.mark.mosquitto, pytest.mark.influxdb, pytest.mark.slow]

START_MS = 1_793_491_200_000  # 2026-11-01
MESSAGES, READINGS = 200, 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scrape(port: int) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Sample name -> [(labels, value)]."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def total(
    samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    return sum(v for got, v in samples.get(name, []) if labels.items() <= got.items())


def messages() -> list[tuple[str, bytes]]:
    good = [
        (
            f"vigil/s1/pump-{m % 20:02d}/telemetry",
            orjson.dumps(
                [
                    {
                        "ts": START_MS + m * 1000 + r,
                        "asset_type": "pump",
                        "metrics": {"vibration_rms": 2.0 + r / 10},
                    }
                    for r in range(READINGS)
                ]
            ),
        )
        for m in range(MESSAGES)
    ]
    bad = [
        ("vigil/s1/pump-01/telemetry", b'{"asset_type": "pump", "metrics": {"x": 1}'),
        ("vigil/s1/pump-02/telemetry", b'{"asset_type": "pump"'),
        ("vigil/s1/pump-03/telemetry", b'{"asset_type": "pump", "metrics": {"x": NaN}}'),
    ]
    return good[:100] + bad + good[100:]


@pytest.mark.parametrize("workers", [1, 2])
def test_readings_counter_equals_readings_stored(
    workers: int,
    start_mosquitto: Callable[..., ChildServer],
    influx_db: tuple[str, str],
    tmp_path: Path,
) -> None:
    # A broker of its own: on the session's shared broker, what earlier tests left (retained
    # messages, publishers still draining) reached these collectors and was counted too.
    mosquitto_server = start_mosquitto()
    url, database = influx_db
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(
        VIGIL_MQTT_URL=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        VIGIL_STORE="influxdb",
        VIGIL_INFLUX_URL=url,
        VIGIL_INFLUX_DB=database,
        VIGIL_DATA_DIR=str(tmp_path),
        VIGIL_MQTT_CLIENT_ID=f"metrics-{tmp_path.name}",
        VIGIL_INGEST_GROUP=f"g{tmp_path.name[-8:]}",
        VIGIL_MQTT_SESSION_EXPIRY_S="0",
    )
    log = tmp_path / "ingest.log"
    command = [sys.executable, "-m", "vigil", "ingest", "--workers", str(workers)]
    proc = subprocess.Popen(
        [*command, "--metrics-port", str(port), "--stats-every", "1"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: log.read_text().count("MQTT connected") >= workers or proc.poll() is not None,
            60,
            "the collectors to connect",
        )
        assert proc.poll() is None, log.read_text()
        time.sleep(0.3)  # the SUBSCRIBEs sent from on_connect reach the broker first
        sent = messages()
        publish(mqtt_url=env["VIGIL_MQTT_URL"], messages=sent, qos=1)
        during = scrape(port)  # while the collectors are still at work, most likely
        expected = MESSAGES * READINGS
        wait_until(
            lambda: total(scrape(port), "vigil_ingest_readings_stored_total") >= expected,
            60,
            "the readings counter to reach what was sent",
        )
        samples = scrape(port)
        store = InfluxV1Store(url, database)
        stored = store.count(measurement=TELEMETRY, field="vibration_rms")
        store.close()
        assert total(samples, "vigil_ingest_readings_stored_total") == stored == expected
        assert total(during, "vigil_ingest_readings_stored_total") <= expected
        assert total(samples, "vigil_ingest_messages_total") == len(sent)
        assert total(samples, "vigil_ingest_quarantined_total", reason="invalid_json") == 2
        assert total(samples, "vigil_ingest_quarantined_total", reason="non_finite_value") == 1
        assert total(samples, "vigil_ingest_store_write_seconds_count") >= 1
        assert total(samples, "vigil_ingest_acks_pending") == 0
        assert "vigil_ingest_spool_bytes" in samples
        assert "vigil_ingest_lag_seconds" in samples
        connected = samples["vigil_ingest_broker_connected"]
        assert len(connected) == workers, "one sample per collector process"
        assert all(value == 1.0 for _, value in connected)
        if workers > 1:
            spools = sorted(p.name for p in (tmp_path / "spool").iterdir())
            assert spools == [f"{env['VIGIL_MQTT_CLIENT_ID']}-{i}" for i in range(1, workers + 1)]
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
    assert code == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
