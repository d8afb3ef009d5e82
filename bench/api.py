"""API latency at fleet scale: p50/p95 of the asset list, the work-order list and a 24-hour
telemetry chart query, with 1,000 assets and 10,000 work orders, over real HTTP (uvicorn).

    .venv/bin/python bench/api.py            # a table
    .venv/bin/python bench/api.py --json     # ... and one JSON object as the last line

Data: the embedded stores (SQLite telemetry store, SQLite work-order database), as `vigil demo`
runs them. Every asset has its last 15 minutes of 1-minute telemetry and scores (what the fleet
view reads); the charted assets have 24 hours at one reading every 10 s (8,640 readings of three
metrics each), which the API averages down to at most 600 points per chart.
"""

# ruff: noqa: E402  (the import path is fixed before the imports; see below)
from __future__ import annotations

import sys
from pathlib import Path

# This script has the name of the package it measures: keep its own folder off the import path,
# or `import api` would import this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import contextlib
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.app import create_app
from api.config import ApiConfig
from api.roles import Role
from ingest.points import ANOMALY_SCORE, TELEMETRY, Point
from ingest.quarantine import Quarantine
from ingest.store.base import TelemetryStore
from ingest.store.influx_v1 import InfluxV1Store
from ingest.store.sqlite import SqliteStore
from models.base import FAULT_CODES, Decision
from vigil import embedded
from vigil.embedded import free_port
from workorders import from_alerts, service
from workorders.db import Base, make_engine, session_factory
from workorders.models import Status

TYPES = ("pump", "chiller", "elevator", "air_compressor")


def asset_name(i: int) -> tuple[str, str, str]:
    kind = TYPES[i % len(TYPES)]
    return f"site-{i // 50:02d}", f"{kind}-{i:04d}", kind


def write_telemetry(store: TelemetryStore, *, assets: int, charted: int, now: datetime) -> None:
    with Progress(transient=True) as progress:
        task = progress.add_task("telemetry", total=assets + charted)
        for i in range(assets):
            site, asset, kind = asset_name(i)
            tags = {"site": site, "asset": asset, "asset_type": kind}
            points = []
            for minute in range(15):
                ts = int((now - timedelta(minutes=15 - minute)).timestamp() * 1000)
                points.append(
                    Point(
                        TELEMETRY,
                        tags,
                        {"vibration_rms": 2.0 + i % 7 * 0.1, "temperature": 55.0},
                        ts,
                    )
                )
                points.append(
                    Point(
                        ANOMALY_SCORE,
                        {**tags, "detector": "pca"},
                        {"score": 1.0 + i % 5 * 0.4, "threshold": 3.0},
                        ts,
                    )
                )
            store.write(points)
            progress.advance(task)
        for i in range(charted):
            site, asset, kind = asset_name(i)
            tags = {"site": site, "asset": asset, "asset_type": kind}
            start = now - timedelta(hours=24)
            points = [
                Point(
                    TELEMETRY,
                    tags,
                    {
                        "vibration_rms": 2.0 + (k % 360) / 360,
                        "temperature": 55.0 + (k % 100) / 50,
                        "current": 12.0,
                    },
                    int((start + timedelta(seconds=10 * k)).timestamp() * 1000),
                )
                for k in range(24 * 360)
            ]
            store.write(points)
            progress.advance(task)


def write_work_orders(
    factory: sessionmaker[Session], *, assets: int, total: int, now: datetime
) -> None:
    """``total`` work orders through the service itself (numbering, SLA, audit, outbox)."""
    codes = list(FAULT_CODES)
    made = 0
    with Progress(transient=True) as progress, factory() as session:
        task = progress.add_task("work orders", total=total)
        round_ = 0
        while made < total:
            for i in range(assets):
                if made >= total:
                    break
                site, asset, kind = asset_name(i)
                code = codes[(i + round_) % len(codes)]
                decision = Decision(
                    site=site,
                    asset=asset,
                    asset_type=kind,
                    at=now,
                    fault_code=code,
                    score=5.0,
                    threshold=3.0,
                    is_anomalous=True,
                    detector="pca",
                    model_version="v0001",
                    contributions={"vibration_rms": 0.7},
                )
                opened = from_alerts.open_for_alert(session=session, decision=decision, now=now)
                if opened.action == "created":
                    made += 1
                    progress.advance(task)
                    if made % 3 == 0:  # two thirds stay open, one third is cancelled (history)
                        service.transition(
                            session=session,
                            work_order_id=opened.work_order.id,
                            to=Status.CANCELLED,
                            expected_version=None,
                            actor="bench",
                            now=now,
                        )
                if made % 500 == 0:
                    session.commit()
            round_ += 1
        session.commit()


def open_telemetry(kind: str, root: Path, stack: contextlib.ExitStack) -> TelemetryStore:
    if kind == "sqlite":
        return SqliteStore(root / "telemetry.db")
    server = embedded.influxd(root / "influxd").start()
    stack.callback(server.stop)
    store = InfluxV1Store(f"http://127.0.0.1:{server.port}", "bench")
    store.ensure_database()
    return store


def timed(client: httpx.Client, url: str, params: dict[str, str | int], runs: int) -> list[float]:
    client.get(url, params=params).raise_for_status()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params=params)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000)
    parser.add_argument("--work-orders", type=int, default=10_000)
    parser.add_argument("--charted", type=int, default=10, help="assets with 24 h of 10 s data")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--store",
        choices=("sqlite", "influxdb"),
        default="sqlite",
        help="telemetry store: the embedded SQLite one, or a real influxd started for the run",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    console = Console(stderr=True)
    now = datetime.now(UTC).replace(second=0, microsecond=0)

    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        root = Path(scratch)
        engine = make_engine(f"sqlite:///{root / 'vigil.db'}")
        Base.metadata.create_all(engine)
        factory = session_factory(engine)
        store = open_telemetry(args.store, root, stack)
        setup = time.perf_counter()
        write_telemetry(store, assets=args.assets, charted=args.charted, now=now)
        write_work_orders(factory, assets=args.assets, total=args.work_orders, now=now)
        with factory() as session:
            key = keys.create_key(session=session, name="bench", role=Role.viewer).key
            session.commit()
        console.print(f"data written in {time.perf_counter() - setup:.0f} s")

        app = create_app(
            config=ApiConfig(session_secret="b" * 32, data_dir=root, fleet_refresh_s=5.0),
            session_factory=factory,
            store=store,
            quarantine=Quarantine(root / "quarantine.db"),
        )
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        app.state.fleet.refresh()
        base = f"http://127.0.0.1:{port}/api/v1"
        chart_end = now
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            listed = client.get(f"{base}/assets", params={"limit": 5000}).json()
            assert listed["total"] == args.assets, listed["total"]
            results = {
                "assets": timed(client, f"{base}/assets", {"limit": 5000}, args.runs),
                "workorders": timed(
                    client, f"{base}/work-orders", {"limit": 100, "status": "open"}, args.runs
                ),
                "telemetry": [],
            }
            for i in range(args.runs):
                asset = asset_name(i % args.charted)[1]
                params: dict[str, str | int] = {
                    "start": (chart_end - timedelta(hours=24)).isoformat(),
                    "end": chart_end.isoformat(),
                    "max_points": 600,
                }
                results["telemetry"] += timed(client, f"{base}/assets/{asset}/telemetry", params, 1)
            points = len(
                client.get(f"{base}/assets/{asset_name(0)[1]}/telemetry", params=params).json()[
                    "time"
                ]
            )
        server.should_exit = True
        thread.join(timeout=10)

    table = Table(
        title=f"API latency, {args.assets} assets, {args.work_orders} work orders, "
        f"{args.runs} requests each, telemetry in {args.store}"
    )
    for column in ("request", "p50 ms", "p95 ms", "target p95 ms"):
        table.add_column(column)
    rows = (
        ("assets", f"GET /assets (all {args.assets}, health, open alerts and WOs)", 100),
        ("workorders", "GET /work-orders?status=open&limit=100", 100),
        ("telemetry", f"GET /assets/{{a}}/telemetry, 24 h, 3 metrics -> {points} points", 300),
    )
    for name, label, target in rows:
        samples = results[name]
        table.add_row(
            label, f"{statistics.median(samples):.1f}", f"{p95(samples):.1f}", str(target)
        )
    Console().print(table)
    if args.json:
        print(json.dumps({f"{name}_p95_ms": round(p95(results[name]), 1) for name, _, _ in rows}))


if __name__ == "__main__":
    main()
