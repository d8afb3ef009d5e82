"""InfluxDB stopped for 30 s mid-stream: the collector spools, keeps acknowledging, then replays."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from simulators import basic_fleet_messages
from tests.faults.conftest import DATABASE, Stack
from tests.faults.helpers import (
    START_MS,
    Publisher,
    quarantined,
    report,
    spool_files,
    stored_readings,
)
from tests.ingest.helpers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.influxdb]

ASSETS, PER_ASSET, BATCH = 100, 200, 5  # 4,000 messages, 20,000 readings
RATE = 100.0  # messages/s: the stream lasts 40 s and spans the whole outage
OUTAGE_S = 30.0


def test_store_outage_spools_then_replays_each_reading_once(
    make_stack: Callable[..., Stack],
) -> None:
    stack = make_stack()
    collector = stack.collector().start()
    messages = list(
        basic_fleet_messages(
            assets=ASSETS, readings_per_asset=PER_ASSET, batch=BATCH, seed=5, start_ms=START_MS
        )
    )
    total = ASSETS * PER_ASSET
    publisher = Publisher(stack.mqtt_url, messages, rate=RATE)
    wait_until(lambda: publisher.sent >= 500, 20, "the stream to start")
    stack.influxd.stop()
    stopped_at = time.monotonic()
    wait_until(lambda: bool(spool_files(collector)), 20, "readings to reach the spool")
    sent_at_stop = publisher.sent
    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - stopped_at)))
    # The collector acknowledged from the spool all along: the gateway kept publishing.
    sent_during_outage = publisher.sent - sent_at_stop
    spooled_bytes = sum(p.stat().st_size for p in spool_files(collector))
    stack.influxd.start()
    acked = publisher.wait(60)
    wait_until(lambda: stored_readings(stack.influx_url, DATABASE) == total, 60, "the replay")
    wait_until(lambda: not spool_files(collector), 20, "the spool to empty")
    assert collector.alive, collector.tail()
    collector.stop()

    stored = stored_readings(stack.influx_url, DATABASE)
    duplicated = collector.readings_written() - stored
    report(
        "InfluxDB down 30 s",
        published=total,
        acknowledged=acked * BATCH,
        stored=stored,
        duplicated=duplicated,
        quarantined=quarantined(collector.data_dir),
        spooled_bytes_at_end_of_outage=spooled_bytes,
        messages_published_during_outage=sent_during_outage,
    )
    assert acked == len(messages)
    assert sent_during_outage > 1_000, "the spool kept acknowledgements flowing"
    assert stored == total, "every reading stored"
    assert duplicated == 0, "no reading written twice"
    assert quarantined(collector.data_dir) == 0
