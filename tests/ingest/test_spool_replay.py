"""Spool replay against a real InfluxDB that refuses part of a spooled batch.

A batch spooled while the store was down can hold a message the store later refuses (here a field
type conflict: InfluxDB answers 400). Replay must store the other messages and quarantine only
the refused one, whole, under its own topic, as the live path does.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import httpx
import orjson
import pytest

from ingest.collector import Collector
from ingest.mqtt import Message
from ingest.points import TELEMETRY, Point
from ingest.quarantine import Quarantine
from ingest.spool import Spool
from ingest.store.base import StoreUnavailable
from ingest.store.influx_v1 import InfluxV1Store
from ingest.topics import TopicTemplate
from tests.ingest.helpers import wait_until

pytestmark = pytest.mark.influxdb

NOW = 1_795_766_400_000
READINGS = 60  # per good message: more than the 50 points the old replay kept of a refused batch


class SwitchedStore(InfluxV1Store):
    """The real InfluxDB, unreachable while ``down`` is set (an outage without restarting it)."""

    def __init__(self, url: str, database: str) -> None:
        super().__init__(url, database, retries=0)
        self.down = threading.Event()

    def write(self, points: Sequence[Point]) -> None:
        if self.down.is_set():
            raise StoreUnavailable("switched off by the test")
        super().write(points)


def good(asset: str, offset: int) -> bytes:
    return orjson.dumps(
        [
            {"ts": NOW + offset + i, "asset_type": "pump", "metrics": {"vibration_rms": 1.0 + i}}
            for i in range(READINGS)
        ]
    )


def test_a_refused_spooled_batch_is_split_and_only_the_refused_message_quarantined(
    influx_db: tuple[str, str], tmp_path: Path
) -> None:
    url, database = influx_db
    store = SwitchedStore(url, database)
    store.ensure_database()
    # `x` exists as an integer: InfluxDB refuses the float `x` of the bad message below.
    written = httpx.post(
        f"{url}/write",
        params={"db": database, "precision": "ms"},
        content=f"telemetry,asset=a9,asset_type=pump,site=s x=1i {NOW - 1000}",
    )
    assert written.status_code == 204
    bad_payload = orjson.dumps({"ts": NOW, "asset_type": "pump", "metrics": {"x": 2.5}})
    messages = [
        Message("vigil/s/a1/telemetry", good("a1", 0), 1, 1, NOW + 10),
        Message("vigil/s/a9/telemetry", bad_payload, 2, 1, NOW + 20),
        Message("vigil/s/a2/telemetry", good("a2", 100), 3, 1, NOW + 30),
        Message("vigil/s/a3/telemetry", good("a3", 200), 4, 1, NOW + 40),
    ]
    quarantine = Quarantine(tmp_path / "quarantine.db")
    acks: list[int] = []
    collector = Collector(
        store=store,
        quarantine=quarantine,
        telemetry_topics=TopicTemplate("vigil/{site}/{asset}/telemetry"),
        status_topics=None,
        ack=lambda mid, qos: acks.append(mid),
        retry_max_s=0.3,
        spool=Spool(tmp_path / "spool"),
    )
    store.down.set()
    collector.start()
    try:
        for message in messages:
            collector.submit(message)
        wait_until(lambda: len(acks) == len(messages), 10, "the messages spooled and acked")
        assert collector.stats.readings_spooled == 3 * READINGS + 1
        assert collector.stats.readings_stored == 0
        store.down.clear()
        wait_until(lambda: collector.spool is not None and collector.spool.empty, 20, "replay")
    finally:
        collector.stop()

    assert store.count(measurement=TELEMETRY, field="vibration_rms") == 3 * READINGS
    (entry,) = quarantine.list()
    assert entry.reason == "store_rejected"
    assert entry.topic == "vigil/s/a9/telemetry", "quarantined under the refused message's topic"
    assert entry.payload_head == bad_payload, "the message, whole"
    assert entry.payload_complete
    assert entry.received_at.timestamp() * 1000 == NOW + 20
    assert collector.stats.quarantined == {"store_rejected": 1}
    assert collector.stats.readings_replayed == 3 * READINGS
    assert acks == [1, 2, 3, 4]
    quarantine.close()
    store.close()
