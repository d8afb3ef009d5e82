"""Lifts: their work comes in rides of a few seconds, so a window's median load is its idle value
in all but the busiest hours, while the motor heats with every ride of the hour. The operating
context takes the window's mean (``:duty``) as the condition: a week busier than the training
ones is no fault, a motor that heats more per ride still is."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from models.context import condition_columns
from models.features import window_features
from models.model import ModelConfig
from tests.models.conftest import alarms_after_training as trained_alarms

START = pd.Timestamp("2026-10-01", tz="UTC")  # a Thursday, as the simulator's fleet starts
CONFIG = ModelConfig(every_s=3600, warmup_windows=6)
TRAIN_DAYS = 8
DAYS = 14
USUAL, BUSY = (0.5, 1.5), (1.2, 1.5)  # the day's rides against an office's usual


def lifts(*, hot: str | None = None) -> pd.DataFrame:
    """Four lifts, a reading a minute: rides per hour follow an office day times the day's
    usage, drawn per day (0.5-1.5 in training, 1.2-1.5 from then on: a busy fortnight). The
    motor's temperature follows the rides with a 25-minute lag; lift ``hot`` heats 12 °C more
    at full load from the training's end (its rides heat it more)."""
    rng = np.random.default_rng(11)
    times = pd.date_range(START, periods=DAYS * 1440, freq="1min")
    hour = (times.hour + times.minute / 60).to_numpy()
    day = np.asarray((times - START) // pd.Timedelta(days=1))
    office = (
        4 + 40 * np.exp(-(((hour - 8.5) / 1.0) ** 2)) + 30 * np.exp(-(((hour - 17.5) / 1.2) ** 2))
    )
    office = office + np.where((hour > 7) & (hour < 19), 10.0, 0.0)
    weekday = np.asarray(times.day_of_week < 5)
    frames = []
    for i in range(4):
        usage = np.where(
            np.arange(DAYS) < TRAIN_DAYS, rng.uniform(*USUAL, DAYS), rng.uniform(*BUSY, DAYS)
        )[day]
        per_hour = usage * np.where(weekday, office, 0.3 * office + 2)
        trips = rng.poisson(per_hour / 60.0).astype(float)
        load = np.clip(trips * 20.0 / 60.0, 0, 1) * 0.8
        extra = 12.0 * load * (day >= TRAIN_DAYS) if hot == f"l{i}" else 0.0
        target = pd.Series(22.0 + 30.0 * (0.1 + 0.9 * load) + extra)
        temperature = target.ewm(alpha=1 - np.exp(-1 / 25), adjust=False).mean().to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s",
                    "asset": f"l{i}",
                    "asset_type": "elevator",
                    "trips": trips,
                    "load": 100 * load,
                    "power": (0.3 + 15.0 * load) * (1 + rng.normal(0, 0.02, len(times))),
                    "temperature": temperature + rng.normal(0, 0.2, len(times)),
                    "vibration_rms": 1.2 + rng.normal(0, 0.05, len(times)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def alarms_after_training(*, hot: str | None = None) -> pd.DataFrame:
    return trained_alarms(
        lifts(hot=hot),
        asset_type="elevator",
        train_end=START + pd.Timedelta(days=TRAIN_DAYS),
        config=CONFIG,
    )


def test_the_conditions_of_rides_are_their_means_over_the_window() -> None:
    features = window_features(lifts()[:1440], every=timedelta(hours=1)).features
    assert {"load:duty", "trips:duty"} <= set(condition_columns(features.columns))
    morning = features.xs(START + pd.Timedelta(hours=8), level="time")
    assert float(morning["load:level"].iloc[0]) == 0.0  # most minutes of the rush are idle
    assert float(morning["load:duty"].iloc[0]) > 5.0


def test_a_busier_fortnight_opens_no_alarm() -> None:
    assert alarms_after_training().empty


def test_a_motor_heating_more_per_ride_alarms() -> None:
    # With the median load as the condition (0 in most hours) the day's usage was unexplained,
    # and the heat lay within its spread: no alarm at all.
    alarms = alarms_after_training(hot="l2")
    assert set(alarms.index.get_level_values("asset")) == {"l2"}
