"""The collector's flow control and ack order, without a broker: messages submitted as paho's
network thread would, a store that can be held, acks recorded."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import orjson

from ingest.collector import MESSAGE_OVERHEAD_BYTES, Collector
from ingest.mqtt import Message, _pubacks
from ingest.points import Point
from ingest.quarantine import Quarantine
from ingest.store.sqlite import SqliteStore
from ingest.topics import TopicTemplate
from tests.ingest.helpers import wait_until

NOW = 1_795_766_400_000
PAYLOAD = orjson.dumps({"ts": NOW, "asset_type": "pump", "metrics": {"x": 1.5}})


class HeldStore(SqliteStore):
    """Writes wait until `release` is set."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release = threading.Event()

    def write(self, points: Sequence[Point]) -> None:
        self.release.wait(30)
        super().write(points)


def message(mid: int) -> Message:
    return Message(f"vigil/s/a{mid}/telemetry", PAYLOAD, mid, 1, NOW)


def test_network_thread_waits_while_too_many_bytes_are_unacknowledged(tmp_path: Path) -> None:
    store = HeldStore(tmp_path / "t.db")
    acks: list[int] = []
    one = len(PAYLOAD) + len(message(1).topic) + MESSAGE_OVERHEAD_BYTES
    collector = Collector(
        store=store,
        quarantine=Quarantine(tmp_path / "q.db"),
        telemetry_topics=TopicTemplate("vigil/{site}/{asset}/telemetry"),
        status_topics=None,
        ack=lambda mid, qos: acks.append(mid),
        batch_size=3,
        max_inflight_bytes=5 * one,
    )
    collector.start()
    submitted: list[int] = []

    def network_thread() -> None:
        for mid in range(1, 21):
            collector.submit(message(mid))
            submitted.append(mid)

    thread = threading.Thread(target=network_thread, daemon=True)
    thread.start()
    # The limit is checked before taking a message: 6 are taken, the 7th waits for room.
    wait_until(lambda: len(submitted) == 6, 10, "six messages submitted")
    thread.join(0.5)
    assert len(submitted) == 6
    assert not acks
    assert collector.inflight_bytes == 6 * one
    store.release.set()
    thread.join(10)
    collector.stop()
    assert submitted == list(range(1, 21))
    assert acks == list(range(1, 21)), "every message acknowledged once, in arrival order"
    assert collector.inflight_bytes == 0
    assert collector.stats.readings_stored == 20


def test_pubacks_are_back_to_back_mqtt_packets() -> None:
    # PUBACK: type 4 << 4, remaining length 2, the packet id big-endian (MQTT 3.1.1 and 5).
    assert _pubacks([1, 0x1234, 65535]) == bytes(
        [0x40, 2, 0, 1, 0x40, 2, 0x12, 0x34, 0x40, 2, 0xFF, 0xFF]
    )
