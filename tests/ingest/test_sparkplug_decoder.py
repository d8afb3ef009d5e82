"""The Sparkplug B host's rules, message by message (payloads built with Eclipse Tahu's helpers)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tahutils.tahu import sparkplug_b as tahu

from ingest.decode import Limits
from ingest.mqtt import Message
from ingest.points import Point
from ingest.rejections import Rejected
from ingest.sparkplug.catalog import MetricCatalog
from ingest.sparkplug.decoder import SparkplugDecoder
from ingest.sparkplug.mapping import Mapping, MappingError, load_mapping
from ingest.sparkplug.topic import parse_topic

T = tahu.MetricDataType
NOW = int(time.time() * 1000)


def _message(
    topic: str, seq: int | None, *metrics: tuple[str | None, int | None, int, object]
) -> Message:
    payload = tahu.Payload()
    payload.timestamp = NOW
    if seq is not None:
        payload.seq = seq
    for name, alias, datatype, value in metrics:
        tahu.addMetric(payload, name, alias, datatype, value, NOW)
    return Message(topic, payload.SerializeToString(), 1, 1, NOW)


def _decoder() -> tuple[SparkplugDecoder, list[tuple[str, str]]]:
    asked: list[tuple[str, str]] = []
    decoder = SparkplugDecoder(
        mapping=Mapping(), limits=Limits(), request_rebirth=lambda g, n: asked.append((g, n))
    )
    return decoder, asked


def _fields(points: list[Point]) -> dict[str, float]:
    return {k: v for p in points if p.measurement == "telemetry" for k, v in p.fields.items()}


def test_signed_integers_booleans_and_sequence_wrap() -> None:
    decoder, asked = _decoder()
    decoder.decode(_message("spBv1.0/g/NBIRTH/n", 254, ("bdSeq", None, T.Int64, 0)))
    birth = _message(
        "spBv1.0/g/DBIRTH/n/d",
        255,
        ("i8", 1, T.Int8, -5),
        ("i64", 2, T.Int64, -7_000_000_000),
        ("on", 3, T.Boolean, True),
        ("label", 4, T.String, "x"),
    )
    assert _fields(decoder.decode(birth)) == {"i8": -5.0, "i64": -7e9, "on": 1.0}
    data = _message("spBv1.0/g/DDATA/n/d", 0, (None, 1, T.Int8, -128), (None, 3, T.Boolean, False))
    assert _fields(decoder.decode(data)) == {"i8": -128.0, "on": 0.0}
    assert asked == []


def test_device_death_and_death_of_an_unknown_node() -> None:
    decoder, _ = _decoder()
    decoder.decode(_message("spBv1.0/g/NBIRTH/n", 0, ("bdSeq", None, T.Int64, 1)))
    decoder.decode(_message("spBv1.0/g/DBIRTH/n/d", 1, ("x", None, T.Double, 1.0)))
    (status,) = decoder.decode(_message("spBv1.0/g/DDEATH/n/d", 2))
    assert (status.tags["asset"], status.fields) == ("d", {"online": 0.0})
    with pytest.raises(Rejected) as rejected:
        decoder.decode(_message("spBv1.0/g/DDATA/n/d", 3, ("x", None, T.Double, 2.0)))
    assert rejected.value.reason == "sparkplug_before_birth"
    (offline,) = decoder.decode(
        _message("spBv1.0/other/NDEATH/m", None, ("bdSeq", None, T.Int64, 9))
    )
    assert (offline.tags, offline.fields) == ({"site": "other", "asset": "m"}, {"online": 0.0})


def test_rebirth_requests_are_rate_limited() -> None:
    decoder, asked = _decoder()
    for seq in range(5):
        with pytest.raises(Rejected):
            decoder.decode(_message("spBv1.0/g/NDATA/ghost", seq, ("x", None, T.Double, 1.0)))
    assert asked == [("g", "ghost")]


@pytest.mark.parametrize(
    ("topic", "ok"),
    [
        ("spBv1.0/g/NDATA/n", True),
        ("spBv1.0/g/DDATA/n/d", True),
        ("spBv1.0/g/DDATA/n", False),
        ("spBv1.0/g/NDATA/n/d", False),
        ("spBv1.0/g/NCMD/n", False),
        ("spBv1.0/g/STATE", False),
        ("spBv1.0/g h/NDATA/n", False),
    ],
)
def test_topics(topic: str, ok: bool) -> None:
    assert (parse_topic(topic) is not None) is ok


def test_metric_names_and_mapping_errors(tmp_path: Path) -> None:
    mapping = Mapping(metrics={"Vib": "vibration_rms"})
    assert mapping.metric_name("Vib") == "vibration_rms"
    assert mapping.metric_name("Motor/Temp (C)") == "Motor_Temp_C"
    assert mapping.metric_name("1st stage") == "m_1st_stage"
    assert mapping.metric_name("///") is None
    bad = tmp_path / "bad.toml"
    bad.write_text('[[devices]]\ngroup = "g"\nnode = "n"\nasset = "a b"\n')
    with pytest.raises(MappingError, match="device"):
        load_mapping(bad)


def test_a_death_after_a_restart_takes_the_known_devices_offline(tmp_path: Path) -> None:
    catalog = MetricCatalog(tmp_path / "sparkplug.db")
    before = SparkplugDecoder(
        mapping=Mapping(), limits=Limits(), request_rebirth=lambda g, n: None, births=catalog
    )
    before.decode(_message("spBv1.0/g/NBIRTH/n", 0, ("bdSeq", None, T.Int64, 1)))
    before.decode(_message("spBv1.0/g/DBIRTH/n/d1", 1, ("x", None, T.Double, 1.0)))
    before.decode(_message("spBv1.0/g/DBIRTH/n/d2", 2, ("x", None, T.Double, 1.0)))
    # The collector restarts: no session, only what the catalog kept.
    after = SparkplugDecoder(
        mapping=Mapping(), limits=Limits(), request_rebirth=lambda g, n: None, births=catalog
    )
    points = after.decode(_message("spBv1.0/g/NDEATH/n", None, ("bdSeq", None, T.Int64, 1)))
    assert [(p.tags["asset"], p.fields["online"]) for p in points] == [
        ("n", 0.0),
        ("d1", 0.0),
        ("d2", 0.0),
    ]
    catalog.close()
