"""`vigil ingest --workers N`: N collector processes on one MQTT 5 shared subscription.

One Python process is bound to one core by the GIL; N processes share the broker's messages
through ``$share/<group>/...`` and so use the machine. This process only supervises: it starts
each worker as ``vigil ingest --workers 1`` with a client id of its own (``<id>-1`` ... ``<id>-N``,
stable across restarts, so each keeps its persistent session and its spool directory), restarts
one that dies, serves the workers' Prometheus metrics summed on one port, and on SIGTERM stops
them (each flushes and acknowledges what it holds) before it exits. A worker dies with it even on
SIGKILL (PR_SET_PDEATHSIG), so killing `vigil ingest` kills its collectors, as with one process.

Sparkplug B needs one ordered stream per edge node, which a shared subscription would split: only
worker 1 subscribes to it.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import multiprocess

log = logging.getLogger("vigil.ingest")

PARENT_ENV = "VIGIL_INGEST_PARENT_PID"
DEFAULT_GROUP = "vigil"
RESTART_DELAY_S = 1.0
STOP_TIMEOUT_S = 60.0
_PR_SET_PDEATHSIG = 1


def default_workers() -> int:
    """The cores this process may run on (a container's cpuset included)."""
    return len(os.sched_getaffinity(0))


def die_with_parent() -> None:
    """In a worker: be killed when the supervising process dies, however it dies."""
    parent = os.environ.get(PARENT_ENV)
    if parent is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != int(parent):  # the parent died before prctl took effect
        os._exit(1)


@dataclass
class Worker:
    number: int
    client_id: str
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0


class Supervisor:
    def __init__(
        self,
        *,
        count: int,
        client_id: str,
        group: str | None,
        sparkplug: bool,
        config: Path | None,
        metrics_dir: Path,
        stats_every: float,
    ) -> None:
        self.workers = [Worker(i, f"{client_id}-{i}") for i in range(1, count + 1)]
        self.group = group or DEFAULT_GROUP
        self.sparkplug = sparkplug
        self.config = config
        self.metrics_dir = metrics_dir
        self.stats_every = stats_every

    def prepare_metrics_dir(self) -> None:
        """Start from an empty directory: files of an earlier run would be summed in."""
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        self.metrics_dir.mkdir(parents=True)

    def run(self, stop: threading.Event) -> int:
        """Start the workers, keep them running until ``stop``, then stop them; an exit code."""
        for worker in self.workers:
            self._spawn(worker)
        log.info(
            "%d collector processes on $share/%s (client ids %s ... %s)",
            len(self.workers),
            self.group,
            self.workers[0].client_id,
            self.workers[-1].client_id,
        )
        while not stop.wait(0.5):
            for worker in self.workers:
                assert worker.proc is not None
                code = worker.proc.poll()
                if code is None:
                    continue
                log.error(
                    "collector %s exited with code %s; restarting it in %.0f s",
                    worker.client_id,
                    code,
                    RESTART_DELAY_S,
                )
                self._forget(worker.proc.pid)
                if stop.wait(RESTART_DELAY_S):
                    break
                worker.restarts += 1
                self._spawn(worker)
        return self._stop_all()

    def _forget(self, pid: int) -> None:
        """Leave an exited worker's live gauges out of the sums (its counters stay counted)."""
        multiprocess.mark_process_dead(pid, str(self.metrics_dir))  # type: ignore[no-untyped-call]  # untyped upstream

    def _spawn(self, worker: Worker) -> None:
        env = {
            **os.environ,
            "VIGIL_INGEST_GROUP": self.group,
            "VIGIL_SPARKPLUG": "true" if self.sparkplug and worker.number == 1 else "false",
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            PARENT_ENV: str(os.getpid()),
        }
        command = [sys.executable, "-m", "vigil"]
        if self.config is not None:
            command += ["--config", str(self.config)]
        command += [
            *("ingest", "--workers", "1", "--client-id", worker.client_id),
            *("--metrics-port", "0", "--stats-every", str(self.stats_every)),
        ]
        worker.proc = subprocess.Popen(command, env=env)

    def _stop_all(self) -> int:
        """SIGTERM every worker, wait for each to flush and exit; non-zero if one did not."""
        live = [w.proc for w in self.workers if w.proc is not None and w.proc.poll() is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        code = 0
        for proc in live:
            try:
                if proc.wait(STOP_TIMEOUT_S) != 0:
                    code = 1
            except subprocess.TimeoutExpired:
                log.error(
                    "collector pid %d did not stop in %.0f s; killing it", proc.pid, STOP_TIMEOUT_S
                )
                proc.kill()
                proc.wait()
                code = 1
        for worker in self.workers:
            if worker.proc is not None:
                self._forget(worker.proc.pid)
        return code
