from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.decode import Limits, decode_message, decode_points
from ingest.lineprotocol import format_points, parse_line
from ingest.points import Point
from ingest.rejections import REASONS, Rejected
from ingest.topics import TopicTemplate

NOW = 1_795_766_400_000


def decode(payload: bytes, limits: Limits | None = None) -> list[object]:
    return list(
        decode_message(
            site="s", asset="a", payload=payload, received_ms=NOW, limits=limits or Limits()
        )
    )


def reason(payload: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(Rejected) as rejected:
        decode(payload, limits)
    return rejected.value.reason


def test_missing_timestamp_uses_receive_time_and_is_flagged() -> None:
    (reading,) = decode(b'{"asset_type": "pump", "metrics": {"x": 1}}')
    assert reading.ts_ms == NOW  # type: ignore[attr-defined]
    assert reading.ts_from_receipt  # type: ignore[attr-defined]


def test_limits_are_configurable() -> None:
    two = b'[{"asset_type": "p", "metrics": {"x": 1}}, {"asset_type": "p", "metrics": {"x": 2}}]'
    assert reason(two, Limits(max_readings=1)) == "too_many_readings"
    assert reason(two, Limits(max_payload_bytes=10)) == "payload_too_large"
    ahead = b'{"ts": %d, "asset_type": "p", "metrics": {"x": 1}}' % (NOW + 10_000)
    assert reason(ahead, Limits(max_future_skew_ms=5_000)) == "timestamp_in_future"
    assert decode(ahead, Limits(max_future_skew_ms=60_000))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b'{"asset_type": "p", "metrics": {"x": true}}', "non_numeric_value"),
        (b'{"asset_type": "p", "metrics": {"x": null}}', "non_numeric_value"),
        (b'{"asset_type": "p", "metrics": [1, 2]}', "bad_shape"),
        (b'{"asset_type": "", "metrics": {"x": 1}}', "missing_asset_type"),
        (b'{"asset_type": "p p", "metrics": {"x": 1}}', "bad_shape"),
        (b'{"ts": "2026-11-27T08:00:00", "asset_type": "p", "metrics": {"x": 1}}', "bad_timestamp"),
        (b'{"ts": true, "asset_type": "p", "metrics": {"x": 1}}', "bad_timestamp"),
        (b'{"readings": []}', "bad_shape"),
        (b"   ", "empty_payload"),
        (b"telemetry,asset_type=p x=1 notanumber", "line_protocol_syntax"),
        (b"telemetry,asset_type=p x=1\\", "line_protocol_syntax"),
        (b"telemetry,asset_type=p x=", "line_protocol_syntax"),
        (b"other,asset_type=p x=1", "bad_shape"),
        (b"telemetry,asset_type=p,asset=zz x=1", "bad_shape"),
        (b"telemetry x=1", "missing_asset_type"),
        (b"telemetry,asset_type=p x=t", "non_numeric_value"),
    ],
)
def test_rejections(payload: bytes, expected: str) -> None:
    assert expected in REASONS
    assert reason(payload) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(payload: bytes) -> None:
    problem: str | None
    try:
        decode(payload)
    except Rejected as rejected:
        problem = rejected.reason
    else:
        problem = None
    assert problem is None or problem in REASONS


def outcome(decoder: Callable[..., object], payload: bytes) -> object:
    try:
        return decoder(site="s", asset="a", payload=payload, received_ms=NOW, limits=Limits())
    except Rejected as rejected:
        return (rejected.reason, rejected.detail)


def assert_points_match_readings(payload: bytes) -> None:
    """decode_points is decode_message's readings as points, with the same rejections."""
    readings, points = outcome(decode_message, payload), outcome(decode_points, payload)
    if isinstance(readings, tuple):
        assert points == readings
    else:
        assert isinstance(readings, list)
        expected = [reading.to_point() for reading in readings]
        assert points == (expected, sum(reading.ts_from_receipt for reading in readings))


metric_values = st.one_of(
    st.floats(),  # with NaN, infinities and values whose sum overflows
    st.integers(min_value=-(2**70), max_value=2**70),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
)
readings_json = st.lists(
    st.fixed_dictionaries(
        {
            "asset_type": st.sampled_from(["pump", "motor", "", "bad type"]),
            "metrics": st.dictionaries(
                st.sampled_from(["x", "vibration_rms", "time", "9bad", "y_2"]), metric_values
            ),
        },
        optional={"ts": st.sampled_from([NOW - 1_000, NOW + 10**9, "2026-11-27T08:00:00Z", 5])},
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(readings_json)
def test_points_path_decodes_and_rejects_like_readings(readings: list[dict[str, object]]) -> None:
    # allow_nan: orjson refuses NaN and infinities, so such payloads test that rejection too.
    assert_points_match_readings(json.dumps({"readings": readings}, allow_nan=True).encode())
    assert_points_match_readings(json.dumps(readings[0], allow_nan=True).encode())


@pytest.mark.parametrize(
    "payload",
    [
        b"telemetry,asset_type=p x=1,y=2.5 1795766400000000000\ntelemetry,asset_type=q z=3i",
        b"telemetry,asset_type=p x=inf",
        b"telemetry,asset_type=p x=1e308,y=1e308",
        b"telemetry,asset_type=p time=1",
    ],
)
def test_points_path_line_protocol(payload: bytes) -> None:
    assert_points_match_readings(payload)


metric_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(metric_names, st.floats(allow_nan=False, allow_infinity=False), min_size=1))
def test_line_protocol_round_trip(fields: dict[str, float]) -> None:
    point = Point("telemetry", {"asset_type": "a b,c=d", "site": "s"}, fields, NOW)
    line = parse_line(format_points([point]))
    assert line.tags == point.tags
    assert line.fields == pytest.approx(fields)
    assert line.timestamp_ns == NOW


def test_topic_template() -> None:
    template = TopicTemplate("vigil/{site}/{asset}/telemetry")
    assert template.subscription() == "vigil/+/+/telemetry"
    assert template.subscription("g1") == "$share/g1/vigil/+/+/telemetry"
    assert template.match("vigil/s1/a-1/telemetry") == {"site": "s1", "asset": "a-1"}
    assert template.match("vigil/s1/a1/status") is None
    assert template.match("vigil/s1/a1") is None
    assert template.match("vigil/s+/a1/telemetry") is None
