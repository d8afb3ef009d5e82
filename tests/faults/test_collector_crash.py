"""`vigil ingest` killed with SIGKILL, or stopped with SIGTERM, mid-stream, then restarted."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from simulators import basic_fleet_messages
from tests.faults.conftest import DATABASE, Stack
from tests.faults.helpers import (
    START_MS,
    IngestProcess,
    Publisher,
    points_written,
    quarantined,
    report,
    stored_readings,
)
from tests.ingest.helpers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.influxdb]

ASSETS, PER_ASSET = 100, 150  # 15,000 one-reading messages
RATE = 3_000.0  # messages/s


def _messages(seed: int) -> list[tuple[str, bytes]]:
    return list(
        basic_fleet_messages(
            assets=ASSETS, readings_per_asset=PER_ASSET, batch=1, seed=seed, start_ms=START_MS
        )
    )


def _interrupt_mid_stream(
    stack: Stack,
    *,
    seed: int,
    after: int,
    what: str,
    interrupt: Callable[[IngestProcess], dict[str, float]],
) -> dict[str, float]:
    """Stream, ``interrupt`` the collector once ``after`` readings are stored, restart it (same
    client id, so the broker resumes its session) and wait for every reading.

    Returns what ``interrupt`` and the restart observed."""
    collector = stack.collector().start()
    messages = _messages(seed=seed)
    publisher = Publisher(stack.mqtt_url, messages, rate=RATE)
    wait_until(lambda: stored_readings(stack.influx_url, DATABASE) >= after, 30, "ingest to run")
    seen = interrupt(collector)
    seen["stored_at_interrupt"] = stored_readings(stack.influx_url, DATABASE)
    seen["written_before_restart"] = collector.readings_written()
    collector.start()
    acked = publisher.wait(60)
    wait_until(
        lambda: stored_readings(stack.influx_url, DATABASE) == len(messages), 60, "all stored"
    )
    collector.stop()
    stored = stored_readings(stack.influx_url, DATABASE)
    report(
        f"collector {what}",
        published=len(messages),
        acknowledged=acked,
        stored=stored,
        duplicated=points_written(stack.influx_url) - stored,
        quarantined=quarantined(collector.data_dir),
        **seen,
    )
    assert acked == len(messages)
    assert stored == len(messages), "no reading lost"
    return seen


def test_collector_sigkill_loses_nothing(make_stack: Callable[..., Stack]) -> None:
    def kill(collector: IngestProcess) -> dict[str, float]:
        collector.kill()
        time.sleep(1.0)
        return {}

    seen = _interrupt_mid_stream(make_stack(), seed=3, after=4_000, what="SIGKILL", interrupt=kill)
    assert seen["stored_at_interrupt"] < ASSETS * PER_ASSET, "killed mid-stream"


def test_sigterm_exits_promptly_and_loses_nothing(make_stack: Callable[..., Stack]) -> None:
    def terminate(collector: IngestProcess) -> dict[str, float]:
        code, seconds = collector.terminate()
        assert code == 0, collector.tail()
        return {"exit_code": code, "exit_seconds": round(seconds, 2)}

    seen = _interrupt_mid_stream(
        make_stack(), seed=4, after=2_000, what="SIGTERM", interrupt=terminate
    )
    # A batch flush takes well under a second; the stream had ~4 s left to run.
    assert seen["exit_seconds"] < 3.0, "SIGTERM exits within seconds while gateways publish"
    assert seen["stored_at_interrupt"] < ASSETS * PER_ASSET, "stopped mid-stream"
    # Everything it acknowledged before exiting is in InfluxDB (it acknowledged only that).
    assert seen["stored_at_interrupt"] >= seen["written_before_restart"]
