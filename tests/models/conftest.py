"""Builders of small seeded telemetry for the models tests (no simulator needed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingest.points import TELEMETRY, Point
from ingest.store.sqlite import SqliteStore
from models.features import window_features
from models.model import ModelConfig, fit_type_model
from models.training import assess_history

START = pd.Timestamp("2026-03-01", tz="UTC")


def fleet_frame(
    *,
    assets: int = 4,
    hours: int = 72,
    every: str = "10min",
    seed: int = 0,
    degrade: dict[str, tuple[pd.Timestamp, float]] | None = None,
    asset_type: str = "pump",
) -> pd.DataFrame:
    """Telemetry rows as the store returns them. ``degrade`` maps an asset to (onset, vibration
    increase per day after onset)."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(
        START, periods=int(pd.Timedelta(hours=hours) / pd.Timedelta(every)), freq=every, tz="UTC"
    )
    frames = []
    for i in range(assets):
        asset = f"p{i + 1}"
        size = 1.0 + 0.5 * i  # different pump sizes share one model after normalisation
        n = len(times)
        load = 60 + 20 * np.sin(np.arange(n) / 20) + rng.normal(0, 2, n)
        vib = size * (1.0 + 0.005 * load + rng.normal(0, 0.05, n))
        if degrade and asset in degrade:
            onset, per_day = degrade[asset]
            days = np.clip((times - onset).total_seconds() / 86400, 0, None)
            vib = vib + size * per_day * np.asarray(days)
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s1",
                    "asset": asset,
                    "asset_type": asset_type,
                    "vibration_rms": vib,
                    "temperature": 40 + 0.2 * load + rng.normal(0, 0.3, n),
                    "ambient_temperature": 20 + rng.normal(0, 0.5, n),
                    "power": size * (0.1 * load + rng.normal(0, 0.2, n)),
                    "flow": size * (0.5 * load + rng.normal(0, 0.5, n)),
                    "current_l1": 10 + 0.1 * load + rng.normal(0, 0.1, n),
                    "current_l2": 10 + 0.1 * load + rng.normal(0, 0.1, n),
                    "current_l3": 10 + 0.1 * load + rng.normal(0, 0.1, n),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def make_fleet() -> Callable[..., pd.DataFrame]:
    return fleet_frame


def alarms_after_training(
    raw: pd.DataFrame, *, asset_type: str, train_end: pd.Timestamp, config: ModelConfig
) -> pd.DataFrame:
    """The alarms after ``train_end`` of a model trained on every window of ``raw`` (telemetry
    rows, all healthy) before it, decided as ``assess_history`` decides."""
    every = pd.Timedelta(seconds=config.every_s).to_pytimedelta()
    features = window_features(raw, every=every).features
    train = features[features.index.get_level_values("time") < train_end]
    model = fit_type_model(
        asset_type=asset_type,
        features=train,
        healthy=pd.Series(True, index=train.index),
        config=config,
    )
    decided = assess_history(model, features)
    live = decided[decided.index.get_level_values("time") >= train_end]
    return live[live["alarm"].to_numpy()]


def frame_points(frame: pd.DataFrame) -> list[Point]:
    """Telemetry rows (as the store returns them) back into points."""
    metrics = [c for c in frame.columns if c not in ("time", "site", "asset", "asset_type")]
    ts = pd.to_datetime(frame["time"], utc=True).dt.as_unit("ms").astype("int64").to_numpy()
    values = frame[metrics].to_numpy(dtype=float)
    return [
        Point(
            measurement=TELEMETRY,
            tags={"site": site, "asset": asset, "asset_type": asset_type},
            fields={m: float(v) for m, v in zip(metrics, row, strict=True) if np.isfinite(v)},
            ts_ms=int(t),
        )
        for site, asset, asset_type, t, row in zip(
            frame["site"], frame["asset"], frame["asset_type"], ts, values, strict=True
        )
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "telemetry.db")
    yield opened
    opened.close()
