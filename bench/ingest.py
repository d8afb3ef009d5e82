"""Ingest throughput against the raw limits of the same broker and InfluxDB, in one run.

    .venv/bin/python bench/ingest.py                  # a table
    .venv/bin/python bench/ingest.py --json           # ... and one JSON object as the last line
    .venv/bin/python bench/ingest.py --messages 20000 # a quicker, noisier run

One `mosquitto` (the test/demo config: no queue limits) and one `influxd` (1.x, WAL fsync on every
write) are started on free ports. Every measurement drains a backlog: the messages are first
published to the broker while the subscriber's persistent session is offline, then the subscriber
connects and the clock runs from its connection until the last reading is counted (by the bare
subscriber) or stored (counted in InfluxDB with InfluxQL). So the publisher's speed is not measured.

- bare subscriber: paho-mqtt, QoS 1, MQTT 5, Receive Maximum 20,000 like the collector, that
  only counts messages (paho acknowledges each after on_message): the broker's delivery rate to
  one Python process;
- InfluxDB direct: the 50-reading run's points as line protocol (formatted before the clock
  starts), POSTed over one HTTP connection in batches of 5,000 lines: InfluxDB's write rate;
- the collector: `vigil ingest --workers 1` processes (1, then 2 on a shared subscription), and
  one `vigil ingest` with its default worker count (one process per core, supervised by it, on a
  shared subscription); CPU seconds from /proc/<pid>/stat summed over each command's processes,
  peak RSS from VmHWM in /proc/<pid>/status (the largest process).

The raw limits are measured by bench/ingest_limits.py (which also runs them alone).
"""

# ruff: noqa: E402  (the import path is fixed before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# This script has the name of the package it measures: keep its own folder off the import path,
# or `import ingest` would import this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.ingest_limits import (
    MOSQUITTO_EXTRA,
    Result,
    bare_subscriber,
    fleet,
    influx_direct,
    line_protocol,
    points_written,
    preload,
    stored,
)
from vigil import embedded
from vigil.embedded import ChildServer
from vigil.workers import default_workers

TICK = os.sysconf("SC_CLK_TCK")
console = Console(stderr=True)


# -- the collector ------------------------------------------------------------------------------


class Collector:
    """`vigil ingest` as a child process: one collector, or a supervisor of ``workers``."""

    def __init__(
        self, workdir: Path, env: dict[str, str], client_id: str, workers: int | None = 1
    ) -> None:
        self.log = workdir / f"{client_id}.log"
        self.env = {**env, "VIGIL_MQTT_CLIENT_ID": client_id, "VIGIL_DATA_DIR": str(workdir)}
        self.workers = workers
        # Collectors that log "MQTT connected": the supervisor itself does not connect.
        self.connections = workers or default_workers()
        self.proc: subprocess.Popen[bytes] | None = None
        self.profiler: subprocess.Popen[bytes] | None = None
        self._before = 0

    def profile(self, out: Path) -> None:
        """Sample this process with py-spy (collapsed stacks) until it exits."""
        assert self.proc is not None
        self.profiler = subprocess.Popen(
            [
                *("py-spy", "record", "--pid", str(self.proc.pid), "--format", "raw"),
                *("--threads", "--nonblocking", "--rate", "250", "--output", str(out)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.launch()
        self.wait_connected()

    def launch(self) -> None:
        self._before = self._connections()
        workers = [] if self.workers is None else ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vigil", "ingest", *workers],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def wait_connected(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 30
        while self._connections() < self._before + self.connections:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vigil ingest did not connect; see {self.log}")
            time.sleep(0.02)

    def _connections(self) -> int:
        return self.log.read_text().count("MQTT connected") if self.log.exists() else 0

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        if self.profiler is not None:
            self.profiler.wait(60)
            self.profiler = None

    def pids(self) -> list[int]:
        """This command's process and its worker processes."""
        assert self.proc is not None
        pids, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                todo += map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
        return pids

    def cpu_s(self) -> float:
        total = 0.0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
        return total

    def rss_mb(self, key: str = "VmHWM") -> float:
        """Peak resident memory (VmHWM), or the current one with key="VmRSS", of the largest
        of the command's processes."""
        largest = 0.0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(f"{key}:"):
                        largest = max(largest, int(line.split()[1]) / 1024)
        return largest


def collectors(
    *,
    name: str,
    mosquitto: ChildServer,
    influx_url: str,
    workdir: Path,
    messages: list[tuple[str, bytes]],
    readings: int,
    count: int,
    profile: Path | None,
    workers: int | None = 1,
) -> Result:
    database = name.replace("-", "_")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(
        VIGIL_MQTT_URL=f"mqtt://127.0.0.1:{mosquitto.port}",
        VIGIL_STORE="influxdb",
        VIGIL_INFLUX_URL=influx_url,
        VIGIL_INFLUX_DB=database,
        VIGIL_LOG_LEVEL="INFO",
        VIGIL_INGEST_METRICS_PORT="0",
    )
    if count > 1 or workers != 1:
        # A group of its own per run: the persistent sessions of an earlier run's members stay
        # in their group, and Mosquitto would hand them their share of this run's messages.
        env["VIGIL_INGEST_GROUP"] = f"bench-{name}"
    procs = [Collector(workdir, env, f"{name}-{i}", workers) for i in range(count)]
    for proc in procs:  # subscribe once: the sessions then hold the backlog
        proc.start()
    time.sleep(0.5)
    for proc in procs:
        proc.stop()
    preload(f"mqtt://127.0.0.1:{mosquitto.port}", messages)
    written0 = points_written(influx_url)
    for proc in procs:
        proc.launch()
    for proc in procs:
        proc.wait_connected()
        if profile is not None:
            proc.profile(profile / f"{name}-{procs.index(proc)}.txt")
    # The clock starts once all are connected; what one stored while another was still starting
    # is left out of the rate.
    began = time.monotonic()
    at_start = points_written(influx_url) - written0
    cpu0 = [proc.cpu_s() for proc in procs]
    start_rss = max(proc.rss_mb("VmRSS") for proc in procs)
    peak = 0.0
    last, last_change = -1, time.monotonic()
    # Progress from InfluxDB's accepted-points counter (cheap): counting with InfluxQL ten times a
    # second would scan the growing data and take CPU from InfluxDB on this 2-core machine. The
    # counter includes duplicates, so the end is confirmed with one InfluxQL count.
    target = written0 + readings
    last, last_change = -1, time.monotonic()
    while True:
        written = points_written(influx_url)
        peak = max(peak, *(proc.rss_mb() for proc in procs))
        if written >= target and stored(influx_url, database) >= readings:
            break
        if written != last:
            last, last_change = written, time.monotonic()
        elif time.monotonic() - last_change > 30:
            console.print(f"[red]{name}: stalled at {written - written0} of {readings} points")
            break
        time.sleep(0.05)
    seconds = time.monotonic() - began
    cpu = sum(proc.cpu_s() - c0 for proc, c0 in zip(procs, cpu0, strict=True))
    peak = max(peak, *(proc.rss_mb() for proc in procs))
    for proc in procs:
        proc.stop()
    final = stored(influx_url, database)
    shape = f"x{count}" if workers == 1 else f"--workers {procs[0].connections} (default)"
    return Result(
        f"vigil ingest {shape}, {readings // len(messages)}-reading messages",
        readings - at_start,
        seconds,
        cpu_s=cpu,
        peak_rss_mb=peak,
        start_rss_mb=start_rss,
        lost=readings - final,
        duplicated=points_written(influx_url) - written0 - final,
    )


# -- the run ------------------------------------------------------------------------------------


def run(messages: int, workdir: Path, profile: Path | None) -> dict[str, Result]:
    mosquitto = embedded.mosquitto(workdir / "mosquitto", extra_conf=MOSQUITTO_EXTRA).start()
    influxd = embedded.influxd(workdir / "influxd").start()
    influx_url = f"http://127.0.0.1:{influxd.port}"
    try:
        ones = fleet(messages, 1)
        fifties = fleet(messages // 10, 50)  # five times the readings, in 50-reading messages
        steps: list[tuple[str, Callable[[], Result]]] = [
            ("bare", lambda: bare_subscriber(mosquitto.port, ones)),
            ("direct", lambda: influx_direct(influx_url, line_protocol(fifties))),
            ("c1", lambda: collect("c1", ones, len(ones), 1)),
            ("c50", lambda: collect("c50", fifties, len(fifties) * 50, 1)),
            ("c2", lambda: collect("c2", ones, len(ones), 2)),
            ("c50w", lambda: collect("c50w", fifties, len(fifties) * 50, 1, workers=None)),
        ]

        def collect(
            name: str,
            batch: list[tuple[str, bytes]],
            readings: int,
            n: int,
            workers: int | None = 1,
        ) -> Result:
            return collectors(
                name=name,
                mosquitto=mosquitto,
                influx_url=influx_url,
                workdir=workdir,
                messages=batch,
                readings=readings,
                count=n,
                profile=profile,
                workers=workers,
            )

        results = {}
        for key, step in steps:
            with console.status(f"measuring {key}"):
                results[key] = step()
            console.print(f"{results[key].name}: {results[key].rate:,.0f} readings/s")
        return results
    finally:
        mosquitto.stop()
        influxd.stop()


def hotspots(path: Path, top: int = 12) -> Table:
    """Self time by function and thread, from py-spy's collapsed stacks (``stack count`` lines)."""
    own: dict[tuple[str, str], int] = {}
    threads: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        thread, leaf, n = frames[0], frames[-1], int(samples)
        own[(thread, leaf)] = own.get((thread, leaf), 0) + n
        threads[thread] = threads.get(thread, 0) + n
        total += n
    out = Table(title=f"{path.stem}: where the samples fall (self time), {total:,} samples")
    for column in ("thread", "function (file:line)", "share"):
        out.add_column(column, justify="right" if column == "share" else "left")
    for thread, n in sorted(threads.items(), key=lambda item: -item[1]):
        out.add_row(thread, "(all)", f"{n / total:.0%}")
    for (thread, leaf), n in sorted(own.items(), key=lambda item: -item[1])[:top]:
        out.add_row(thread, leaf, f"{n / total:.1%}")
    return out


def table(results: dict[str, Result]) -> Table:
    bare, direct = results["bare"].rate, results["direct"].rate
    limits = {"c1": (bare, 0.70), "c50": (direct, 0.50), "c2": (bare, None), "c50w": (direct, 0.50)}
    out = Table(title="Ingest: readings per second, against the raw limits of the same run")
    for column in ("measurement", "readings", "s", "readings/s", "ratio", "target", "CPU s/1k r"):
        out.add_column(column, justify="left" if column == "measurement" else "right")
    for column in ("readings/CPU s", "peak RSS MB", "RSS growth MB", "lost", "dup"):
        out.add_column(column, justify="right")
    for key, result in results.items():
        limit, target = limits.get(key, (None, None))
        ratio = result.rate / limit if limit else None
        ok = "" if target is None or ratio is None else (" ok" if ratio >= target else " MISSED")
        out.add_row(
            result.name,
            f"{result.readings:,}",
            f"{result.seconds:.1f}",
            f"{result.rate:,.0f}",
            "" if ratio is None else f"{ratio:.0%} of {'bare' if limit == bare else 'direct'}",
            "" if target is None else f">= {target:.0%}{ok}",
            "" if result.cpu_per_1000 is None else f"{result.cpu_per_1000:.3f}",
            "" if result.cpu_per_1000 is None else f"{1000 / result.cpu_per_1000:,.0f}",
            "" if result.peak_rss_mb is None else f"{result.peak_rss_mb:.0f}",
            ""
            if result.peak_rss_mb is None or result.start_rss_mb is None
            else f"{result.peak_rss_mb - result.start_rss_mb:.0f}",
            str(result.lost),
            str(result.duplicated),
        )
    return out


def summary(results: dict[str, Result]) -> dict[str, Any]:
    collector_runs = [results[k] for k in ("c1", "c50", "c2", "c50w")]
    return {
        "bare_subscriber_rate": round(results["bare"].rate, 1),
        "influx_direct_rate": round(results["direct"].rate, 1),
        "collector_rate_1": round(results["c1"].rate, 1),
        "collector_rate_50": round(results["c50"].rate, 1),
        "collector_rate_50_workers": round(results["c50w"].rate, 1),
        "default_workers": default_workers(),
        "two_collectors_rate_1": round(results["c2"].rate, 1),
        "lost": sum(r.lost for r in collector_runs),
        "duplicated": sum(r.duplicated for r in collector_runs),
        "collector_peak_rss_mb": round(max(r.peak_rss_mb or 0.0 for r in collector_runs), 1),
    }


def main(argv: Iterator[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=100_000,
        help="1-reading messages per run (the 50-reading run carries five times the readings)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the collectors with py-spy (pip install py-spy) into this folder and "
        "print where their threads spend time",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.messages < 1_000:
        parser.error("--messages must be at least 1000")
    with tempfile.TemporaryDirectory(prefix="vigil-bench-ingest-") as tmp:
        results = run(args.messages, Path(tmp), args.profile)
    Console(width=160).print(table(results))
    if args.profile is not None:
        for path in sorted(args.profile.glob("*.txt")):
            Console(width=160).print(hotspots(path))
    if args.json:
        print(json.dumps(summary(results)))


if __name__ == "__main__":
    main()
