from __future__ import annotations

import hashlib

import orjson
import pytest

from simulators import basic_fleet_messages


def _digest(**kwargs: int) -> str:
    digest = hashlib.sha256()
    for topic, payload in basic_fleet_messages(**kwargs):  # type: ignore[arg-type]
        digest.update(topic.encode() + b"\0" + payload + b"\0")
    return digest.hexdigest()


def test_same_arguments_give_byte_identical_messages() -> None:
    args = {"assets": 7, "readings_per_asset": 30, "batch": 4, "seed": 3, "start_ms": 10**12}
    assert _digest(**args) == _digest(**args)
    assert _digest(**args) != _digest(**{**args, "seed": 4})


def test_messages_follow_the_gateway_contract() -> None:
    messages = list(
        basic_fleet_messages(
            assets=3, readings_per_asset=5, batch=2, seed=1, start_ms=1000, interval_ms=500, sites=2
        )
    )
    assert len(messages) == 3 * 3  # batches of 2, 2, 1 for each asset
    seen: dict[str, list[int]] = {}
    for topic, payload in messages:
        prefix, site, asset, kind = topic.split("/")
        assert (prefix, kind) == ("vigil", "telemetry")
        body = orjson.loads(payload)
        readings = body["readings"] if isinstance(body, dict) and "readings" in body else [body]
        for reading in readings:
            assert isinstance(reading["asset_type"], str)
            assert all(isinstance(v, float) for v in reading["metrics"].values())
            seen.setdefault(f"{site}/{asset}", []).append(reading["ts"])
    assert sorted(seen) == ["s01/a0001", "s01/a0003", "s02/a0002"]
    for stamps in seen.values():
        assert stamps == [1000 + i * 500 for i in range(5)]


def test_batch_of_one_is_a_single_reading_object() -> None:
    (_, payload), *_ = basic_fleet_messages(
        assets=1, readings_per_asset=1, batch=1, seed=1, start_ms=0
    )
    assert set(orjson.loads(payload)) == {"ts", "asset_type", "metrics"}


def test_topic_template_is_used() -> None:
    (topic, _), *_ = basic_fleet_messages(
        assets=1,
        readings_per_asset=1,
        batch=1,
        seed=1,
        start_ms=0,
        topic_template="plant/{site}/{asset}",
    )
    assert topic == "plant/s01/a0001"


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="batch"):
        list(basic_fleet_messages(assets=1, readings_per_asset=1, batch=0, seed=1, start_ms=0))
