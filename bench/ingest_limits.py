"""The raw limits that ``bench/ingest.py`` holds the collector against, measured on the same
broker and InfluxDB in the same run: the broker's delivery rate to a bare paho subscriber, and
InfluxDB's write rate for the same points posted directly.

    .venv/bin/python bench/ingest_limits.py                   # only these two, on their own
    .venv/bin/python bench/ingest_limits.py --messages 20000  # a quicker, noisier run

Both drain a backlog, as bench/ingest.py describes.
"""

# ruff: noqa: E402  (the import path is fixed before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, its folder comes first on the import path, where bench/ingest.py would shadow
# the `ingest` package: keep that folder off it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ingest.lineprotocol import format_points
from ingest.points import Reading
from simulators import basic_fleet_messages, publish
from vigil import embedded

START_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
ASSETS = 1_000
DIRECT_BATCH = 5_000
RECEIVE_MAXIMUM = 20_000


# Production saves the broker's database every 30 s (deploy/mosquitto/mosquitto.conf), and the
# embedded config's 1 s would rewrite the whole queued backlog every second; the later line wins.
# `user root`: started as root, Mosquitto drops to the `mosquitto` user, which cannot write the
# root-owned temporary directory, and would then never save at all, unlike in production.
MOSQUITTO_EXTRA = "autosave_interval 30\nuser root\n"


@dataclass
class Result:
    name: str
    readings: int
    seconds: float
    cpu_s: float | None = None
    peak_rss_mb: float | None = None
    # RSS once connected (imports done, nothing received yet): peak minus this is the data.
    start_rss_mb: float | None = None
    lost: int = 0
    duplicated: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.readings / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_1000(self) -> float | None:
        return None if self.cpu_s is None or not self.readings else self.cpu_s / self.readings * 1e3


def fleet(messages: int, batch: int) -> list[tuple[str, bytes]]:
    per_asset = max(1, messages * batch // ASSETS)
    return list(
        basic_fleet_messages(
            assets=ASSETS, readings_per_asset=per_asset, batch=batch, seed=1, start_ms=START_MS
        )
    )


def preload(mqtt_url: str, messages: list[tuple[str, bytes]]) -> None:
    report = publish(mqtt_url=mqtt_url, messages=messages, qos=1, timeout_s=120)
    assert report.messages_acked == len(messages), "the broker did not take every message"


# -- the bare subscriber ------------------------------------------------------------------------


class BareSubscriber:
    """Counts messages; paho acknowledges each QoS 1 message after on_message returns."""

    def __init__(self, port: int, client_id: str) -> None:
        self.port, self.count, self.done = port, 0, threading.Event()
        self.target = 0
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5
        )
        self.client.on_message = self._on_message
        self.connected = threading.Event()
        self.client.on_connect = lambda *_: self.connected.set()

    def _on_message(self, *_: Any) -> None:
        self.count += 1
        if self.count >= self.target:
            self.done.set()

    def connect(self, subscribe: bool) -> float:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 3600
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        self.connected.clear()
        self.client.connect("127.0.0.1", self.port, clean_start=False, properties=properties)
        self.client.loop_start()
        self.connected.wait(10)
        began = time.monotonic()
        if subscribe:
            self.client.subscribe("vigil/#", qos=1)
            time.sleep(0.5)
        return began

    def disconnect(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def bare_subscriber(port: int, messages: list[tuple[str, bytes]]) -> Result:
    subscriber = BareSubscriber(port, "bench-bare")
    subscriber.connect(subscribe=True)
    subscriber.disconnect()
    preload(f"mqtt://127.0.0.1:{port}", messages)
    subscriber.target = len(messages)
    cpu0 = time.process_time()
    began = subscriber.connect(subscribe=False)
    subscriber.done.wait(600)
    seconds = time.monotonic() - began
    cpu = time.process_time() - cpu0
    time.sleep(0.5)  # late duplicates, if any
    subscriber.disconnect()
    received = subscriber.count
    return Result(
        "bare paho subscriber, 1-reading messages",
        len(messages),
        seconds,
        cpu_s=cpu,
        lost=max(0, len(messages) - received),
        duplicated=max(0, received - len(messages)),
    )


# -- InfluxDB -----------------------------------------------------------------------------------


def influxql(url: str, statement: str, database: str | None = None) -> list[list[Any]]:
    params = {"q": statement, **({"db": database} if database else {})}
    body = httpx.post(f"{url}/query", params=params, timeout=60).json()
    return [row for s in body["results"][0].get("series", []) for row in s["values"]]


def stored(url: str, database: str) -> int:
    rows = influxql(url, "SELECT count(vibration_rms) FROM telemetry", database)
    return int(rows[0][1]) if rows else 0


def points_written(url: str) -> int:
    body = httpx.get(f"{url}/query", params={"q": "SHOW STATS FOR 'httpd'"}, timeout=10).json()
    series = body["results"][0]["series"][0]
    return int(dict(zip(series["columns"], series["values"][0], strict=True))["pointsWrittenOK"])


def line_protocol(messages: list[tuple[str, bytes]]) -> list[str]:
    """The points the collector would write for these messages, as line protocol."""
    points = []
    for topic, payload in messages:
        _, site, asset, _ = topic.split("/")
        for item in orjson.loads(payload)["readings"]:
            reading = Reading(site, asset, item["asset_type"], item["ts"], item["metrics"])
            points.append(reading.to_point())
    return format_points(points).split("\n")


def influx_direct(url: str, lines: list[str]) -> Result:
    influxql(url, 'CREATE DATABASE "direct"')
    bodies = [
        "\n".join(lines[i : i + DIRECT_BATCH]).encode() for i in range(0, len(lines), DIRECT_BATCH)
    ]
    with httpx.Client(base_url=url, timeout=60) as http:
        began = time.monotonic()
        for body in bodies:
            response = http.post("/write", params={"db": "direct", "precision": "ms"}, content=body)
            response.raise_for_status()
        seconds = time.monotonic() - began
    return Result(
        f"InfluxDB direct, HTTP batches of {DIRECT_BATCH:,}",
        len(lines),
        seconds,
        lost=len(lines) - stored(url, "direct"),
    )


def main(argv: Iterator[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000, help="1-reading messages")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory(prefix="vigil-bench-limits-") as tmp:
        workdir = Path(tmp)
        mosquitto = embedded.mosquitto(workdir / "mosquitto", extra_conf=MOSQUITTO_EXTRA).start()
        influxd = embedded.influxd(workdir / "influxd").start()
        try:
            ones = fleet(args.messages, 1)
            fifties = fleet(args.messages // 10, 50)
            url = f"http://127.0.0.1:{influxd.port}"
            for result in (
                bare_subscriber(mosquitto.port, ones),
                influx_direct(url, line_protocol(fifties)),
            ):
                print(f"{result.name}: {result.rate:,.0f} readings/s, lost {result.lost}")
        finally:
            mosquitto.stop()
            influxd.stop()


if __name__ == "__main__":
    main()
