"""`vigil ingest --workers 2` as a supervisor: a worker that dies is restarted with its client id,
and the workers die with the supervisor even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ingest.helpers import wait_until
from vigil.embedded import ChildServer

pytestmark = [pytest.mark.mosquitto, pytest.mark.slow]


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_dead_worker_is_restarted_and_workers_die_with_the_supervisor(
    mosquitto_server: ChildServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(
        VIGIL_MQTT_URL=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        VIGIL_STORE="sqlite",
        VIGIL_DATA_DIR=str(tmp_path),
        VIGIL_MQTT_CLIENT_ID=f"sup-{tmp_path.name}",
        VIGIL_INGEST_METRICS_PORT="0",
        # The broker is shared by the whole test session: no session of ours outlives the test
        # to collect (and hold in memory) what later tests publish.
        VIGIL_MQTT_SESSION_EXPIRY_S="0",
    )
    log = tmp_path / "ingest.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigil", "ingest", "--workers", "2"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: log.read_text().count("MQTT connected") >= 2, 60, "two workers")
        workers = children(proc.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        wait_until(lambda: log.read_text().count("MQTT connected") >= 3, 60, "the restart")
        text = log.read_text()
        assert "exited with code -9; restarting it" in text
        client = env["VIGIL_MQTT_CLIENT_ID"]
        assert text.count(f"as {client}-1 ") + text.count(f"as {client}-2 ") == 3
        assert "$share/vigil " in text, "the default group when VIGIL_INGEST_GROUP is unset"
        workers = children(proc.pid)
        assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    wait_until(lambda: not any(alive(pid) for pid in workers), 10, "the workers to die with it")
