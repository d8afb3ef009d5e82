"""Mosquitto killed with SIGKILL mid-stream and restarted from its persistence file.

Mosquitto answers a PUBLISH with PUBACK while it handles the packet and writes its in-memory
database to disk later, in its main loop (``autosave_on_changes true`` with ``autosave_interval
1``: after every loop pass that changed anything; the file is written whole and renamed into place).
So Mosquitto guarantees only this: a message acknowledged before the last *completed* save
survives a SIGKILL. Messages acknowledged after it (one loop pass: the packets handled in it plus
the save itself) can be lost. The test asserts exactly that, using the persistence file's mtime
as the moment of the last completed save, and reports the size of the window it saw.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from simulators import basic_fleet_messages
from tests.faults.ackclock import AckClock
from tests.faults.conftest import DATABASE, Stack
from tests.faults.helpers import (
    START_MS,
    points_written,
    reading_keys,
    report,
    stored_keys,
    stored_readings,
)
from tests.ingest.helpers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.mosquitto, pytest.mark.influxdb]

# Save after every main-loop pass that queued a message: the smallest window Mosquitto offers.
# `user root`: started as root, Mosquitto drops to the `mosquitto` user, which cannot write into
# the test's root-owned 0700 directory, and then never saves at all (only logs an error).
DURABLE_MOSQUITTO = "autosave_on_changes true\nuser root\n"
# Saving after every change rewrites the whole database per message while the collector is away:
# on this machine's disk about 150 messages/s. Hence a small stream.
ASSETS, PER_ASSET = 100, 20  # 2,000 one-reading messages
RATE = 2_000.0  # messages/s offered; the broker acknowledges slower while it saves every change
KILL_AFTER = 500  # acknowledged messages


def test_acknowledged_readings_survive_a_broker_sigkill(make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(DURABLE_MOSQUITTO)
    # The collector subscribes once (its persistent session) and is then stopped, so the broker
    # holds every message for it when it dies: the persistence file is all that can save them.
    collector = stack.collector().start()
    collector.stop()
    messages = list(
        basic_fleet_messages(
            assets=ASSETS, readings_per_asset=PER_ASSET, batch=1, seed=11, start_ms=START_MS
        )
    )
    keys = reading_keys(messages)
    publisher = AckClock(port=stack.mosquitto.port, client_id="gateway-crash-test")
    publisher.start()
    stop = threading.Event()
    sender = threading.Thread(
        target=publisher.publish, args=(messages,), kwargs={"rate": RATE, "stop": stop}
    )
    sender.start()
    try:
        wait_until(lambda: publisher.acked >= KILL_AFTER, 30, f"{KILL_AFTER} messages acked")
        stack.mosquitto.kill()
        killed_at = time.time()
        saved = stack.mosquitto.workdir / "mosquitto.db"
        assert saved.exists(), f"Mosquitto never saved its database:\n{stack.mosquitto.log_path}"
        saved_at = saved.stat().st_mtime
        acked_at_kill = publisher.acked
        stored_at_kill = stored_readings(stack.influx_url, DATABASE)
        time.sleep(1.0)
        stack.mosquitto.start()
        restarted_at = time.time()
        collector.start()
        sender.join(60)
        wait_until(lambda: publisher.acked == len(messages), 60, "every message acknowledged")
        # Every acknowledged message is stored, except at most those in the loss window.
        window = {i for i, t in publisher.acked_at().items() if saved_at < t <= killed_at}
        wait_until(
            lambda: stored_readings(stack.influx_url, DATABASE) >= len(messages) - len(window),
            90,
            "the collector to store what the broker kept",
        )
        time.sleep(1.0)  # let redeliveries land, so "lost" is final
    finally:
        stop.set()
        publisher.close()
        collector.stop()

    acked_at = publisher.acked_at()
    stored = stored_keys(stack.influx_url, DATABASE)
    lost = {i for i, key in enumerate(keys) if key not in stored}
    guaranteed = {i for i, t in acked_at.items() if t <= saved_at}
    after_restart = {i for i, t in acked_at.items() if t >= restarted_at}
    report(
        "broker SIGKILL",
        published=len(messages),
        acknowledged=len(acked_at),
        stored=len(stored),
        duplicated=points_written(stack.influx_url) - len(stored),
        quarantined=0,
        acked_at_kill=acked_at_kill,
        stored_at_kill=stored_at_kill,
        acked_in_loss_window=len(window),
        lost=len(lost),
        save_to_kill_ms=round((killed_at - saved_at) * 1000, 1),
    )
    assert stored_at_kill == 0, "the broker alone held the messages when it died"
    assert len(guaranteed) >= KILL_AFTER - 50, "nearly all acknowledged messages were saved"
    assert not lost & guaranteed, "a message acknowledged before the last save was lost"
    assert not lost & after_restart
    assert lost <= window
