"""Real `vigil ingest` processes and the counts every fault test reports.

Counting rules, the same in every test:
- stored: distinct readings in InfluxDB (``count(vibration_rms)``; InfluxDB keeps one point per
  series and timestamp, so a reading written twice counts once);
- duplicated: points InfluxDB accepted over HTTP (its ``httpd`` statistic ``pointsWrittenOK``)
  minus the distinct points stored: readings written twice. When InfluxDB itself restarts (its
  statistics restart too) the collector's own count of readings it stored is used instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.ingest.helpers import wait_until

# Readings in 2026-11 (past, so never refused as "too far in the future").
START_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)


@dataclass
class IngestProcess:
    """`vigil ingest` as a child process, configured only through VIGIL_* variables."""

    mqtt_port: int
    influx_url: str
    database: str
    data_dir: Path
    client_id: str
    group: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"{self.client_id}.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(
            VIGIL_MQTT_URL=f"mqtt://127.0.0.1:{self.mqtt_port}",
            VIGIL_STORE="influxdb",
            VIGIL_INFLUX_URL=self.influx_url,
            VIGIL_INFLUX_DB=self.database,
            VIGIL_DATA_DIR=str(self.data_dir),
            VIGIL_MQTT_CLIENT_ID=self.client_id,
            # One process per IngestProcess (the tests kill and count processes), and no metrics
            # port: several collectors run at once on this machine.
            VIGIL_INGEST_WORKERS="1",
            VIGIL_INGEST_METRICS_PORT="0",
            **self.extra_env,
        )
        if self.group:
            env["VIGIL_INGEST_GROUP"] = self.group
        return env

    def start(self, timeout: float = 20.0) -> IngestProcess:
        """Start and return once the collector is subscribed (its connect log line, plus a beat)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        connected_before = self._log().count("MQTT connected")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vigil", "ingest", "--stats-every", "1"],
            env=self.env(),
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1
        wait_until(
            lambda: self._log().count("MQTT connected") > connected_before or not self.alive,
            timeout,
            f"{self.client_id} to connect",
        )
        assert self.alive, f"vigil ingest exited early:\n{self.tail()}"
        time.sleep(0.3)  # the SUBSCRIBE sent from on_connect is processed before our PUBLISHes
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        assert self.proc is not None
        assert self.alive, "collector already gone"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, timeout: float = 30.0) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds until it exited)."""
        assert self.proc is not None
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - began

    def stop(self) -> None:
        if self.alive:
            self.terminate()

    def readings_written(self) -> int:
        """Readings this collector stored, from the last line each of its runs logged on exit."""
        import re

        return sum(int(n) for n in re.findall(r"stopped after (\d+) readings stored", self._log()))

    def _log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, chars: int = 3000) -> str:
        return self._log()[-chars:]


def influxql(url: str, statement: str, database: str | None = None) -> list[list[object]]:
    params = {"q": statement, "epoch": "ms"}
    if database:
        params["db"] = database
    body = httpx.get(f"{url}/query", params=params, timeout=30).json()
    series = body["results"][0].get("series", [])
    return [row for s in series for row in s["values"]]


def stored_readings(url: str, database: str) -> int:
    try:
        rows = influxql(url, "SELECT count(vibration_rms) FROM telemetry", database)
    except httpx.HTTPError:
        return -1  # InfluxDB is down: "not yet"
    return int(rows[0][1]) if rows else 0  # type: ignore[call-overload]


def points_written(url: str) -> int:
    """Points InfluxDB accepted over HTTP since it started (duplicates included)."""
    body = httpx.get(f"{url}/query", params={"q": "SHOW STATS FOR 'httpd'"}, timeout=10).json()
    series = body["results"][0]["series"][0]
    return int(dict(zip(series["columns"], series["values"][0], strict=True))["pointsWrittenOK"])


def report(
    name: str,
    *,
    published: int,
    acknowledged: int,
    stored: int,
    duplicated: int,
    quarantined: int,
    **extra: object,
) -> None:
    more = "".join(f", {key} {value}" for key, value in extra.items())
    print(
        f"\n[{name}] published {published}, acknowledged {acknowledged}, stored {stored}, "
        f"duplicated {duplicated}, quarantined {quarantined}{more}"
    )


def quarantined(data_dir: Path) -> int:
    """Messages in the collector's quarantine file (0 when it has none yet)."""
    import sqlite3

    path = data_dir / "quarantine.db"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM quarantine").fetchone()[0])


def stored_keys(url: str, database: str) -> set[tuple[str, int]]:
    """(asset, timestamp ms) of every stored reading."""
    params = {"db": database, "q": "SELECT vibration_rms FROM telemetry GROUP BY asset"}
    body = httpx.get(f"{url}/query", params={**params, "epoch": "ms"}, timeout=60).json()
    return {
        (s["tags"]["asset"], int(row[0]))
        for s in body["results"][0].get("series", [])
        for row in s["values"]
    }


def reading_keys(messages: list[tuple[str, bytes]]) -> list[tuple[str, int]]:
    """(asset, ts) of each 1-reading message from ``basic_fleet_messages``."""
    import orjson

    return [(topic.split("/")[2], int(orjson.loads(payload)["ts"])) for topic, payload in messages]


class Publisher:
    """``simulators.publish`` in a thread, so a test can break things while it streams."""

    def __init__(
        self, mqtt_url: str, messages: list[tuple[str, bytes]], *, rate: float | None
    ) -> None:
        import threading

        from simulators import PublishReport, publish

        self.sent = 0
        self.result: PublishReport | None = None
        self.error: BaseException | None = None

        def progress(sent: int) -> None:
            self.sent = sent

        def run() -> None:
            try:
                self.result = publish(
                    mqtt_url=mqtt_url,
                    messages=messages,
                    qos=1,
                    rate=rate,
                    on_progress=progress,
                    timeout_s=60,
                )
            except BaseException as error:  # reported by wait()
                self.error = error

        self._thread = threading.Thread(target=run, name="publisher", daemon=True)
        self._thread.start()

    def wait(self, timeout: float) -> int:
        """Messages acknowledged by the broker, once every message is."""
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        assert self.result is not None, f"publishing did not finish in {timeout:.0f}s"
        return self.result.messages_acked


def spool_files(collector: IngestProcess) -> list[Path]:
    """Spool segments that still hold bytes."""
    directory = collector.data_dir / "spool" / collector.client_id
    return [p for p in directory.glob("seg-*.log") if p.stat().st_size > 0]
