"""Scoring throughput: one cycle of the scoring job over N assets, and peak memory.

    .venv/bin/python bench/scoring.py [--assets 1000 10000] [--cycles 5] [--json]

Each measured cycle is the heaviest the job sees: every asset closes a one-hour window of
one-minute readings (60 readings x 8 metrics per asset), so the cycle builds features for all
assets, normalises, scores (PCA T²+Q, degradation trend, slow features, persistence), writes
one ``anomaly_score`` point and one decision per asset. The telemetry comes from an in-memory
store (the frame a store's query returns, prepared before the cycle), so the figure is the
scorer's own cost; the store's query time is the store's (InfluxDB 1.6.7: ~0.45 s for one hour
of 1,000 assets, see DESIGN.md). Each fleet size runs in its own process so that its peak RSS
(``ru_maxrss``) is its own.

With --json the last line is one JSON object: {"<assets>": {"assets", "seconds_per_cycle",
"peak_mb"}, ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.points import Point  # noqa: E402
from models.features import Baselines  # noqa: E402
from models.model import ModelConfig  # noqa: E402
from models.registry import Registry  # noqa: E402
from models.scoring import score_cycle  # noqa: E402
from models.scoring_state import ScoringState  # noqa: E402
from models.training import train_models  # noqa: E402

START = pd.Timestamp("2026-05-01", tz="UTC")
METRICS = ("vibration_rms", "temperature", "ambient_temperature", "power", "flow")


def hour_of_readings(assets: int, hour: int, seed: int) -> pd.DataFrame:
    """One hour of one-minute readings for every asset, as a store query returns it."""
    rng = np.random.default_rng([seed, hour])
    minutes = 60
    n = assets * minutes
    times = (
        START
        + pd.Timedelta(hours=hour)
        + pd.to_timedelta(np.tile(np.arange(minutes), assets), unit="min")
    )
    size = np.repeat(1.0 + (np.arange(assets) % 7) * 0.3, minutes)
    load = 60 + 20 * np.sin((hour * 60 + np.tile(np.arange(minutes), assets)) / 200.0)
    load = load + rng.normal(0, 2, n)
    ids = np.repeat(np.array([f"a{i:05d}" for i in range(assets)]), minutes)
    phase = 10 + 0.1 * load
    return pd.DataFrame(
        {
            "time": times,
            "site": np.repeat(np.array([f"s{i % 50:02d}" for i in range(assets)]), minutes),
            "asset": ids,
            "asset_type": "pump",
            "vibration_rms": size * (1.0 + 0.005 * load + rng.normal(0, 0.05, n)),
            "temperature": 40 + 0.2 * load + rng.normal(0, 0.3, n),
            "ambient_temperature": 20 + rng.normal(0, 0.5, n),
            "power": size * (0.1 * load + rng.normal(0, 0.2, n)),
            "flow": size * (0.5 * load + rng.normal(0, 0.5, n)),
            "current_l1": phase + rng.normal(0, 0.1, n),
            "current_l2": phase + rng.normal(0, 0.1, n),
            "current_l3": phase + rng.normal(0, 0.1, n),
        }
    )


class PreparedStore:
    """A ``TelemetryStore`` whose next query answer is set before each cycle."""

    def __init__(self) -> None:
        self.next: pd.DataFrame = pd.DataFrame()
        self.written = 0

    def write(self, points: Sequence[Point]) -> None:
        self.written += len(points)

    def query(self, **_: Any) -> pd.DataFrame:
        return self.next

    def count(self, **_: Any) -> int:
        return self.written

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None


def registry_for(assets: int, root: Path) -> Registry:
    """A model trained on 48 h of 28 assets, its per-asset baselines copied to every asset of the
    same size class (the cost of scoring depends on their number, not on how they were
    learned)."""
    train = pd.concat([hour_of_readings(28, h, seed=1) for h in range(48)], ignore_index=True)
    bundle = train_models(frame=train, labels=[], config=ModelConfig()).bundle
    model = bundle.models["pump"]
    b = model.baselines
    source = np.arange(assets) % len(b.assets)  # same i % 7 size class as the copy
    model.baselines = Baselines(
        b.columns, [f"a{i:05d}" for i in range(assets)], b.median[source], b.scale[source]
    )
    registry = Registry(root)
    info = registry.save(
        bundle,
        training_start=START.to_pydatetime(),
        training_end=START.to_pydatetime(),
        params={},
        metrics={},
        data_hash="bench",
    )
    registry.promote(info.version)
    return registry


def measure(assets: int, cycles: int, warm: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        registry = registry_for(assets, Path(tmp) / "models")
        store = PreparedStore()
        state = ScoringState()
        decisions = 0
        seconds: list[float] = []
        cpu: list[float] = []

        def count(batch: list[Any]) -> None:
            nonlocal decisions
            decisions += len(batch)

        for hour in range(warm + cycles):
            store.next = hour_of_readings(assets, hour, seed=2)
            now: datetime = (START + pd.Timedelta(hours=hour + 1)).to_pydatetime()
            started, started_cpu = time.perf_counter(), time.process_time()
            report = score_cycle(
                store=store,
                registry=registry,
                now=now,
                state=state,
                on_decisions=count,
                offline_after=timedelta(hours=3),
            )
            if hour >= warm:
                seconds.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert report.assets_scored == assets, report
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "assets": assets,
        "seconds_per_cycle": float(np.median(seconds)),
        "max_seconds": float(np.max(seconds)),
        "cpu_seconds_per_cycle": float(np.median(cpu)),
        "assets_per_second": assets / float(np.median(seconds)),
        "peak_mb": peak_mb,
        "decisions_per_cycle": decisions / (warm + cycles),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--warm", type=int, default=14, help="Cycles before measuring.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.cycles, args.warm)))
        return
    results: dict[str, dict[str, float]] = {}
    for n in args.assets:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--cycles",
                str(args.cycles),
                "--warm",
                str(args.warm),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results[str(n)] = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other "
        "work inflates wall time; CPU s is this process's own)"
    )
    print(
        f"{'assets':>8} {'s / cycle':>10} {'CPU s':>8} {'max s':>8} {'assets/s':>10} {'peak MB':>9}"
    )
    for r in results.values():
        print(
            f"{r['assets']:>8} {r['seconds_per_cycle']:>10.3f} "
            f"{r['cpu_seconds_per_cycle']:>8.3f} {r['max_seconds']:>8.3f} "
            f"{r['assets_per_second']:>10.0f} {r['peak_mb']:>9.0f}"
        )
    if args.json:
        print(
            json.dumps(
                {
                    k: {m: v[m] for m in ("assets", "seconds_per_cycle", "peak_mb")}
                    for k, v in results.items()
                }
            )
        )


if __name__ == "__main__":
    main()
