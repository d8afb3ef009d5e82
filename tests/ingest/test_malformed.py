"""Every malformed message is quarantined with a distinct reason, and ingest carries on."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import orjson
import pytest

from ingest.points import TELEMETRY
from simulators import publish
from tests.ingest.helpers import settings_for, wait_until
from vigil.embedded import ChildServer
from vigil.wiring import build_ingest, build_quarantine, build_store, wait_for_store

pytestmark = [pytest.mark.mosquitto, pytest.mark.influxdb]

NOW_MS = int(time.time() * 1000)
GOOD_TOPIC = "vigil/s01/p001/telemetry"


def reading(**metrics: object) -> dict[str, object]:
    return {"ts": NOW_MS, "asset_type": "pump", "metrics": metrics or {"vibration_rms": 2.0}}


MALFORMED: dict[str, tuple[str, bytes]] = {
    "not_utf8": (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {"x": 1}, "note": "\xff\xfe"}'),
    "invalid_json": (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {"x": 1}'),
    "bad_shape": (GOOD_TOPIC, b'{"readings": {"asset_type": "pump"}}'),
    "missing_asset_type": (GOOD_TOPIC, b'{"metrics": {"x": 1}}'),
    "no_metrics": (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {}}'),
    "non_numeric_value": (GOOD_TOPIC, orjson.dumps(reading(vibration_rms="2.0"))),
    "non_finite_value": (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {"x": NaN}}'),
    "bad_metric_name": (GOOD_TOPIC, orjson.dumps(reading(**{'vib "rms"': 1.0}))),
    "payload_too_large": (GOOD_TOPIC, b"[" + b" " * (10 * 1024 * 1024) + b"]"),
    "too_many_readings": (
        GOOD_TOPIC,
        orjson.dumps([{"asset_type": "pump", "metrics": {"v": 1}}] * 100_000),
    ),
    "timestamp_in_future": (GOOD_TOPIC, orjson.dumps({**reading(), "ts": "3000-01-01T00:00:00Z"})),
    "timestamp_too_old": (GOOD_TOPIC, orjson.dumps({**reading(), "ts": NOW_MS // 1000})),
    "bad_timestamp": (GOOD_TOPIC, orjson.dumps({**reading(), "ts": "yesterday"})),
    "topic_mismatch": ("vigil/s01/p001/extra/telemetry", orjson.dumps(reading())),
    "line_protocol_syntax": (GOOD_TOPIC, b"telemetry,asset_type=pump vibration=1.0 noon"),
    "duplicate_tag": (GOOD_TOPIC, b"telemetry,asset_type=pump,asset_type=fan vibration=1.0"),
    "integer_out_of_range": (GOOD_TOPIC, b"telemetry,asset_type=pump trips=9223372036854775808i"),
    "negative_unsigned": (GOOD_TOPIC, b"telemetry,asset_type=pump trips=-1u"),
    "timestamp_out_of_range": (
        GOOD_TOPIC,
        b"telemetry,asset_type=pump vibration=1.0 9223372036854775808",
    ),
    "empty_payload": (GOOD_TOPIC, b""),
}

EXTRA_BAD: list[tuple[str, bytes, str]] = [
    # a metric name with spaces, in JSON and in line protocol (escaped space: valid syntax)
    (GOOD_TOPIC, orjson.dumps(reading(**{"vib rms": 1.0})), "bad_metric_name"),
    (GOOD_TOPIC, b"telemetry,asset_type=pump vib\\ rms=1.0", "bad_metric_name"),
    # a backslash before "r" is kept, as InfluxDB keeps it: valid syntax, not a valid metric name
    (GOOD_TOPIC, b"telemetry,asset_type=pump vib\\ration=1.0", "bad_metric_name"),
    (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {"x": Infinity}}', "non_finite_value"),
    (GOOD_TOPIC, b'{"asset_type": "pump", "metrics": {"x": 1e999}}', "non_finite_value"),
    (GOOD_TOPIC, b"[1, 2, 3]", "bad_shape"),
    (GOOD_TOPIC, b'"just a string"', "line_protocol_syntax"),
    (GOOD_TOPIC, b'telemetry,asset_type=pump x="a string"', "non_numeric_value"),
    ("vigil/s 01/p001/telemetry", orjson.dumps(reading()), "topic_mismatch"),
]


def test_every_malformed_case_is_quarantined_and_ingest_continues(
    mosquitto_server: ChildServer, influx_db: tuple[str, str], tmp_path: Path
) -> None:
    settings = settings_for(mqtt_port=mosquitto_server.port, data_dir=tmp_path, influx=influx_db)
    store, quarantine = build_store(settings), build_quarantine(settings)
    assert wait_for_store(store, threading.Event(), timeout=30)
    service = build_ingest(settings, store, quarantine)
    service.start()
    assert service.subscriber.wait_connected(10)
    bad = [(topic, payload) for topic, payload in MALFORMED.values()]
    bad += [(topic, payload) for topic, payload, _ in EXTRA_BAD]
    good = [
        (f"vigil/s01/p{i:03d}/telemetry", orjson.dumps(reading(vibration_rms=float(i))))
        for i in range(50)
    ]
    try:
        publish(mqtt_url=settings.mqtt_url, messages=bad + good, qos=1)
        wait_until(
            lambda: service.collector.stats.messages >= len(bad) + len(good), 60, "all messages"
        )
        wait_until(lambda: service.collector.backlog == 0, 30, "the backlog to drain")
    finally:
        service.stop()

    counts = quarantine.counts()
    expected: dict[str, int] = dict.fromkeys(MALFORMED, 1)
    for _, _, reason in EXTRA_BAD:
        expected[reason] += 1
    assert counts == expected
    assert len(MALFORMED) == len(set(MALFORMED)) >= 16, "each case has a distinct reason"
    stored = store.count(measurement=TELEMETRY, field="vibration_rms")
    assert stored == len(good), "valid messages after the bad ones are all stored"
    listed = quarantine.list(limit=100)
    assert {m.reason for m in listed} == set(MALFORMED)
    big = next(m for m in listed if m.reason == "payload_too_large")
    assert big.payload_size > 10 * 1024 * 1024
    assert not big.payload_complete
    small = next(m for m in listed if m.reason == "invalid_json")
    assert small.payload_complete
    assert small.topic == GOOD_TOPIC
    print("\nquarantined by reason:", json.dumps(counts, sort_keys=True))
    store.close()
    quarantine.close()
