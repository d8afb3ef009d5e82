"""Operating context: a pump asked for more than it ever did in training is not a fault; a worn
bearing at the same speed still is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from models.context import coverage
from models.features import window_features
from models.model import ModelConfig, fit_type_model
from models.training import assess_history

START = pd.Timestamp("2026-03-02", tz="UTC")  # a Monday
CONFIG = ModelConfig(every_s=3600, warmup_windows=6)


def pumps(*, days: int, ramp_from: int | None = None, worn: str | None = None) -> pd.DataFrame:
    """Three pumps on variable-speed drives, a reading every 10 minutes. Vibration, pressure and
    bearing temperature follow speed. From day ``ramp_from`` demand climbs by 0.15, past the
    highest training demand by half the training swing (±0.1): a level never seen before. From
    the same day pump ``worn``'s bearing vibrates more at any speed. (Measured: at +0.2 one
    healthy pump of three alarms even with the context; far outside its training range the
    regression's extrapolation is not good enough.)"""
    rng = np.random.default_rng(11)
    times = pd.date_range(START, periods=days * 144, freq="10min")
    day = ((times - START) / pd.Timedelta(days=1)).to_numpy()
    frames = []
    for i in range(3):
        demand = 0.5 + 0.1 * np.sin(2 * np.pi * day * 1.3 + i) + rng.normal(0, 0.02, len(times))
        if ramp_from is not None:
            demand = demand + np.clip(day - ramp_from, 0, 1) * 0.15
        speed = 0.45 + 0.55 * demand
        vibration = (1.0 + 0.3 * i) * (0.4 + 1.2 * speed) * (1 + rng.normal(0, 0.03, len(times)))
        if worn == f"p{i}" and ramp_from is not None:
            vibration = vibration * (1 + 0.5 * np.clip(day - ramp_from, 0, 1))
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s",
                    "asset": f"p{i}",
                    "asset_type": "pump",
                    "speed": 1480 * speed,
                    "vibration_rms": vibration,
                    "pressure": 5 * speed**2 + rng.normal(0, 0.03, len(times)),
                    "bearing_temperature": 30 + 25 * speed + rng.normal(0, 0.2, len(times)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def alarmed(config: ModelConfig, *, worn: str | None = None) -> set[str]:
    every = timedelta(seconds=config.every_s)
    train = window_features(pumps(days=6), every=every).features
    model = fit_type_model(
        asset_type="pump",
        features=train,
        healthy=pd.Series(True, index=train.index),
        config=config,
    )
    later = window_features(pumps(days=9, ramp_from=6, worn=worn), every=every).features
    decided = assess_history(model, later)
    live = decided[decided.index.get_level_values("time") >= START + pd.Timedelta(days=6)]
    return set(live.index.get_level_values("asset")[live["alarm"].to_numpy()])


def test_more_demand_than_training_saw_is_explained_by_the_conditions() -> None:
    assert alarmed(replace(CONFIG, context=False)) != set()  # without context: false alarms
    assert alarmed(CONFIG) == set()


def test_a_worn_bearing_still_alarms_under_the_new_demand() -> None:
    assert alarmed(CONFIG, worn="p1") == {"p1"}


@pytest.mark.parametrize(
    ("days", "start", "enough"),
    [(8, "2026-03-02", True), (6, "2026-03-02", False), (9, "2026-03-02T00:00", True)],
)
def test_a_week_with_a_weekend_is_enough(days: int, start: str, enough: bool) -> None:
    times = pd.date_range(pd.Timestamp(start, tz="UTC"), periods=days * 24, freq="h")
    index = pd.MultiIndex.from_product([["p1"], times], names=["asset", "time"])
    assert coverage(index)["enough"] is enough


def test_equipment_that_works_in_bursts_gets_levels_over_its_working_rows() -> None:
    times = pd.date_range("2026-01-01", periods=180, freq="1min", tz="UTC")
    trips = np.zeros(180)
    trips[70:80] = 1  # ten minutes of rides, in the second hour only
    raw = pd.DataFrame(
        {
            "time": times,
            "site": "s",
            "asset": "lift-1",
            "asset_type": "elevator",
            "temperature": np.arange(180.0),
            "trips": trips,
            "load": trips * 50,
            "power": 0.3 + trips * 10,
        }
    )
    working = window_features(raw, every=timedelta(hours=1)).features["temperature:working"]
    assert working.isna().tolist() == [True, False, True]  # no rides: no evidence either way
    assert working.iloc[1] == 74.5  # the rides' median, not the hour's (89.5)
