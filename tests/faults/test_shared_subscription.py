"""Two `vigil ingest` processes on one MQTT 5 shared subscription split the stream."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from simulators import basic_fleet_messages
from tests.faults.conftest import DATABASE, Stack
from tests.faults.helpers import (
    START_MS,
    Publisher,
    points_written,
    quarantined,
    report,
    stored_readings,
)
from tests.ingest.helpers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.influxdb]

ASSETS, PER_ASSET = 100, 200  # 20,000 one-reading messages


def test_two_collectors_store_each_reading_once(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack()
    first = stack.collector("vigil-ingest-1", group="vigil").start()
    second = stack.collector("vigil-ingest-2", group="vigil").start()
    messages = list(
        basic_fleet_messages(
            assets=ASSETS, readings_per_asset=PER_ASSET, batch=1, seed=9, start_ms=START_MS
        )
    )
    began = time.monotonic()
    publisher = Publisher(stack.mqtt_url, messages, rate=None)
    acked = publisher.wait(60)
    wait_until(
        lambda: stored_readings(stack.influx_url, DATABASE) == len(messages), 60, "all stored"
    )
    seconds = time.monotonic() - began
    first.stop()
    second.stop()

    stored = stored_readings(stack.influx_url, DATABASE)
    shares = (first.readings_written(), second.readings_written())
    report(
        "shared subscription",
        published=len(messages),
        acknowledged=acked,
        stored=stored,
        duplicated=points_written(stack.influx_url) - stored,
        quarantined=quarantined(first.data_dir) + quarantined(second.data_dir),
        readings_per_collector=shares,
        combined_readings_per_s=round(stored / seconds),
    )
    assert acked == len(messages)
    assert stored == len(messages)
    assert points_written(stack.influx_url) == stored, "each reading written once"
    assert sum(shares) == stored
    assert min(shares) > len(messages) // 5, "both collectors took a share"
