"""Sparkplug B through a real Mosquitto: an edge node built on Eclipse Tahu's helpers publishes
BIRTH and DATA for two devices; Vigil stores every metric once under the mapped asset, asks for a
Rebirth on a sequence gap, and quarantines the malformed and out-of-order cases by reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from tahutils.tahu import sparkplug_b as tahu

from ingest.points import TELEMETRY
from ingest.quarantine import Quarantine
from ingest.sparkplug.catalog import MetricCatalog
from ingest.store.base import TelemetryStore
from simulators import publish
from simulators.mqtt import make_client, parse_mqtt_url
from simulators.sparkplug import SparkplugEdgeNode, SpbDevice, SpbMetric
from tests.ingest.helpers import settings_for, wait_until
from vigil.embedded import ChildServer
from vigil.wiring import IngestService, build_ingest, build_quarantine, build_store

pytestmark = [pytest.mark.mosquitto]

MAPPING = """
[[nodes]]
group = "plant-north"
node = "gw-01"
site = "north"

[[devices]]
group = "plant-north"
node = "gw-01"
device = "PLC-pump"
asset = "pump-001"
asset_type = "pump"

[metrics]
"Vibration/RMS" = "vibration_rms"
"""

DEVICES = [
    SpbDevice(
        "PLC-pump",
        [
            SpbMetric("Vibration/RMS", "mm/s"),
            SpbMetric("Motor/Temperature", "°C", tahu.MetricDataType.Float),
            SpbMetric("Running", None, tahu.MetricDataType.Boolean),
            SpbMetric("Delta", "Pa", tahu.MetricDataType.Int32),
        ],
    ),
    # No mapping entry: the default rule (site = group, asset = device id) and the asset type
    # from the DBIRTH's asset_type metric.
    SpbDevice("fan-7", [SpbMetric("current", "A")], asset_type="fan"),
]


@pytest.fixture
def vigil_ingest(
    mosquitto_server: ChildServer, tmp_path: Path
) -> Iterator[tuple[IngestService, TelemetryStore, Quarantine]]:
    mapping = tmp_path / "sparkplug.toml"
    mapping.write_text(MAPPING)
    settings = settings_for(
        mqtt_port=mosquitto_server.port,
        data_dir=tmp_path,
        sparkplug_mapping_file=mapping,
        ingest_batch_ms=50,
    )
    store, quarantine = build_store(settings), build_quarantine(settings)
    service = build_ingest(settings, store, quarantine)
    service.start()
    assert service.subscriber.wait_connected(10)
    yield service, store, quarantine
    service.stop()
    store.close()
    quarantine.close()


def _rows(store: TelemetryStore, asset: str) -> list[tuple[int, dict[str, float]]]:
    now = datetime.now(UTC)
    frame = store.query(
        measurement=TELEMETRY,
        start=now - timedelta(hours=1),
        end=now + timedelta(minutes=1),
        assets=[asset],
    )
    metrics = [c for c in frame.columns if c not in ("time", "site", "asset", "asset_type")]
    out = []
    for record in frame.to_dict("records"):
        ms = int(record["time"].timestamp() * 1000)
        out.append((ms, {m: record[m] for m in metrics if record[m] == record[m]}))
    return out


def test_edge_node_births_data_gap_and_malformed(
    vigil_ingest: tuple[IngestService, TelemetryStore, Quarantine], tmp_path: Path
) -> None:
    service, store, quarantine = vigil_ingest
    address = parse_mqtt_url(service.subscriber.config.url)
    edge = SparkplugEdgeNode(address=address, group="plant-north", node="gw-01", devices=DEVICES)
    edge.start()
    try:
        assert edge.connected.wait(10)
        base = int(time.time() * 1000) - 60_000
        sent: dict[str, dict[int, dict[str, float]]] = {"pump-001": {}, "fan-7": {}}
        for i in range(5):
            ts = base + i * 1000
            pump = {"Vibration/RMS": 2.0 + i, "Motor/Temperature": 40.5, "Delta": -3 - i}
            edge.publish_data("PLC-pump", pump, ts)
            sent["pump-001"][ts] = {
                "vibration_rms": 2.0 + i,
                "Motor_Temperature": 40.5,
                "Delta": -3.0 - i,
            }
            edge.publish_data("fan-7", {"current": 10.0 + i}, ts)
            sent["fan-7"][ts] = {"current": 10.0 + i}

        # A lost message: the next DDATA is out of sequence, quarantined, and Vigil asks the
        # node for a Rebirth; the node answers with NBIRTH and DBIRTHs and goes on.
        edge.skip_sequence_number()
        edge.publish_data("fan-7", {"current": 99.0}, base + 10_000)
        wait_until(lambda: edge.rebirth_requests == 1, 10, "the Rebirth command")
        wait_until(lambda: edge.births == 2, 10, "the new births")
        for i in range(5, 8):
            ts = base + i * 1000
            edge.publish_data("fan-7", {"current": 10.0 + i}, ts)
            sent["fan-7"][ts] = {"current": 10.0 + i}

        _publish_malformed(service.subscriber.config.url)

        expected = {asset: len(rows) for asset, rows in sent.items()}

        def stored_all() -> bool:
            return all(
                sum(ts in sent[a] for ts, _ in _rows(store, a)) == n for a, n in expected.items()
            )

        wait_until(stored_all, 15, "every DATA metric stored")
        wait_until(lambda: sum(quarantine.counts().values()) >= 5, 10, "the quarantined cases")
    finally:
        edge.stop()

    for asset, by_ts in sent.items():
        data_rows = [(ts, fields) for ts, fields in _rows(store, asset) if ts in by_ts]
        assert len(data_rows) == len(by_ts), asset  # each DATA once, under the right asset
        for ts, fields in data_rows:
            assert fields == pytest.approx(by_ts[ts]), (asset, ts)
        assert not [ts for ts, _ in _rows(store, asset) if ts == base + 10_000]
    counts = quarantine.counts()
    assert counts == {
        "sparkplug_sequence_gap": 1,
        "sparkplug_bad_payload": 1,
        "sparkplug_before_birth": 1,
        "sparkplug_unknown_alias": 1,
        "sparkplug_stale_death": 1,
    }, counts
    # Units and Sparkplug types kept beside the readings.
    catalog = MetricCatalog(tmp_path / "sparkplug.db")
    kept = {e.metric: (e.datatype, e.unit) for e in catalog.for_asset("pump-001")}
    assert kept["vibration_rms"] == ("Double", "mm/s")
    assert kept["Motor_Temperature"] == ("Float", "°C")
    assert kept["Running"] == ("Boolean", None)
    assert kept["Delta"] == ("Int32", "Pa")
    catalog.close()
    # The births say online, the clean NDEATH offline: gateway status for node and devices.
    assert service.collector.sparkplug is not None
    assert service.collector.sparkplug.rebirths_requested >= 2  # the gap, and the ghost node


DOUBLE, INT64 = tahu.MetricDataType.Double, tahu.MetricDataType.Int64


def _payload(seq: int, metrics: list[tuple[str | None, int | None, int, float]]) -> bytes:
    payload = tahu.Payload()
    payload.timestamp = int(time.time() * 1000)
    payload.seq = seq
    for name, alias, datatype, value in metrics:
        tahu.addMetric(payload, name, alias, datatype, value)
    return bytes(payload.SerializeToString())


def _publish_malformed(url: str) -> None:
    """Each case from its own edge node, so none disturbs another's sequence."""
    death = tahu.Payload()
    tahu.addMetric(death, "bdSeq", None, tahu.MetricDataType.Int64, 77)
    messages = [
        # not protobuf at all
        ("spBv1.0/plant-north/DDATA/gw-02/PLC-x", b"\xff\xff\xff not protobuf"),
        # DATA from a node that never sent its NBIRTH
        ("spBv1.0/plant-north/NDATA/ghost", _payload(4, [("x", None, DOUBLE, 1.0)])),
        # an alias its BIRTH did not declare
        (
            "spBv1.0/plant-north/NBIRTH/gw-03",
            _payload(0, [("bdSeq", None, INT64, 3), ("x", 1, DOUBLE, 1.0)]),
        ),
        ("spBv1.0/plant-north/NDATA/gw-03", _payload(1, [(None, 99, DOUBLE, 2.0)])),
        # the death of an earlier session (bdSeq 77) arriving after the new session's birth
        ("spBv1.0/plant-north/NDEATH/gw-03", death.SerializeToString()),
    ]
    publish(mqtt_url=url, messages=messages, qos=1)


def test_primary_host_state_is_announced_and_withdrawn(
    mosquitto_server: ChildServer, tmp_path: Path
) -> None:
    """With a host id, Vigil is a Sparkplug 3.0 primary host: edge nodes that wait for it see
    spBv1.0/STATE/<id> online (retained), and offline when it stops."""
    host = f"vigil-{tmp_path.name[-12:]}"
    settings = settings_for(
        mqtt_port=mosquitto_server.port, data_dir=tmp_path, sparkplug_host_id=host
    )
    store, quarantine = build_store(settings), build_quarantine(settings)
    service = build_ingest(settings, store, quarantine)
    seen: list[dict[str, object]] = []
    watcher = make_client(
        address=parse_mqtt_url(settings.mqtt_url), client_id=f"watch-{host}", protocol="5"
    )
    watcher.on_message = lambda _c, _u, message: seen.append(orjson.loads(message.payload))
    watcher.on_connect = lambda client, *_: client.subscribe(f"spBv1.0/STATE/{host}", qos=1)
    try:
        service.start()
        assert service.subscriber.wait_connected(10)
        watcher.connect("127.0.0.1", mosquitto_server.port)
        watcher.loop_start()
        wait_until(lambda: bool(seen) and seen[-1]["online"] is True, 10, "STATE online")
        service.stop()
        wait_until(lambda: seen[-1]["online"] is False, 10, "STATE offline")
        assert seen[0]["timestamp"] == seen[-1]["timestamp"]
    finally:
        watcher.loop_stop()
        watcher.disconnect()
        store.close()
        quarantine.close()
