"""The first windows after a model version is loaded: its trend and slow means start empty.

Regression (bench/latency.py): at short windows every healthy asset alarmed on the degradation
trend within a minute of a promotion. The trend's line was taken through its first three points,
and its threshold was calibrated on lines that also started at the calibration split, so it
never saw a whole span; and a window without slow features counted as health 0, which put a
step into the line. Healthy assets must not alarm on the trend however young their line is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.points import TELEMETRY, Point
from ingest.store.sqlite import SqliteStore
from models.base import Decision
from models.model import ModelConfig
from models.registry import Registry
from models.scoring import score_cycle
from models.scoring_state import ScoringState
from models.training import run_training

START = pd.Timestamp("2026-03-01", tz="UTC")
ASSETS = 20
PERIOD_MS = 200
HISTORY_S = 600
LIVE_S = 80
# One-second windows with a 3-day trend horizon (259,200 windows ahead, as hourly defaults were
# once rescaled by nobody): a line through a few noisy points projects far above any threshold
# learned on whole spans, the hardest case for a freshly promoted model.
CONFIG = ModelConfig(
    every_s=1,
    warmup_windows=5,
    persistence=1,
    trend_params={**ModelConfig().trend_params, "horizon_windows": 3 * 86400},
)


def healthy_points(start_s: int, end_s: int, rng: np.random.Generator) -> list[Point]:
    points = []
    base_ms = int(START.value // 1_000_000)
    for ts_ms in range(base_ms + start_s * 1000, base_ms + end_s * 1000, PERIOD_MS):
        for a in range(ASSETS):
            metrics = {
                "vibration_rms": 2.0 + rng.normal(0, 0.05),
                "bearing_temperature": 55 + rng.normal(0, 0.3),
                "current": 40 + a % 5 + rng.normal(0, 0.3),
                "power": 20 + a % 5 + rng.normal(0, 0.2),
                "flow": 100 + rng.normal(0, 1.0),
                "pressure": 4 + rng.normal(0, 0.05),
            }
            tags = {"site": "s1", "asset": f"p{a}", "asset_type": "pump"}
            points.append(Point(TELEMETRY, tags, {k: float(v) for k, v in metrics.items()}, ts_ms))
    return points


def train_and_promote(store: SqliteStore, registry: Registry, end: datetime) -> None:
    version = run_training(
        store=store,
        registry=registry,
        start=START.to_pydatetime(),
        end=end,
        asset_type=None,
        label_sources=[],
        config=CONFIG,
    )
    registry.promote(version.version)


def test_healthy_assets_do_not_alarm_on_the_trend_after_a_promotion(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    store = SqliteStore(tmp_path / "telemetry.db")
    store.write(healthy_points(0, HISTORY_S + LIVE_S, rng))
    registry = Registry(tmp_path / "models")
    history_end = (START + pd.Timedelta(seconds=HISTORY_S)).to_pydatetime()
    train_and_promote(store, registry, history_end)
    state = ScoringState(query_end=history_end)
    decisions: list[Decision] = []
    for second in range(1, LIVE_S + 1):
        score_cycle(
            store=store,
            registry=registry,
            now=history_end + timedelta(seconds=second),
            state=state,
            on_decisions=decisions.extend,
        )
    scored = [d for d in decisions if d.model_version and not d.cold_start]
    assert len(scored) >= ASSETS * (LIVE_S - 5)
    trend_alarms = [(d.asset, d.at) for d in scored if d.is_anomalous and d.detector == "trend"]
    # Past the young windows (slow means from the 12th, whole trend spans from about the 60th).
    assert trend_alarms == []


def test_readings_held_before_the_first_model_are_not_scored_as_live(tmp_path: Path) -> None:
    """Regression (the demo): before any model the scorer holds readings for the default
    one-hour window; when a model with short windows came in, the first cycle scored the whole
    held history as live windows (a false work order on a machine warming up from cold)."""
    rng = np.random.default_rng(6)
    store = SqliteStore(tmp_path / "telemetry.db")
    store.write(healthy_points(0, 120, rng))
    registry = Registry(tmp_path / "models")
    history_end = (START + pd.Timedelta(seconds=120)).to_pydatetime()
    state = ScoringState()
    score_cycle(
        store=store, registry=registry, now=history_end, state=state, on_decisions=lambda _: None
    )
    assert len(state.pending) == ASSETS * 120 * 1000 // PERIOD_MS  # held for the open hour
    train_and_promote(store, registry, history_end)
    store.write(healthy_points(120, 125, rng))
    decisions: list[Decision] = []
    report = score_cycle(
        store=store,
        registry=registry,
        now=history_end + timedelta(seconds=5),
        state=state,
        on_decisions=decisions.extend,
    )
    assert report.primed_windows > 0
    assert decisions
    assert min(d.at for d in decisions) > history_end
