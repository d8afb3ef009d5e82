"""Air compressors on two shifts: a whole day at low load (a Sunday) is no degradation, and the
trend's threshold must have seen one; a compressor that really heats up still alarms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.model import ModelConfig
from tests.models.conftest import alarms_after_training as trained_alarms

START = pd.Timestamp("2026-10-01", tz="UTC")  # a Thursday, as the simulator's fleet starts
CONFIG = ModelConfig(every_s=3600, warmup_windows=6)
TRAIN_DAYS = 8


def compressors(*, days: int, hot: str | None = None) -> pd.DataFrame:
    """Four compressors, a reading every 10 minutes: loaded 75 % on weekday shifts (6-22 h),
    22 % otherwise. Power per unit of flow falls with load as 1/load (the unloaded share), which
    a line in load cannot draw: at a weekend's load its residual is off by a similar amount
    every weekend. From the training's end compressor ``hot`` runs 1.5 °C a day hotter."""
    rng = np.random.default_rng(5)
    times = pd.date_range(START, periods=days * 144, freq="10min")
    day = ((times - START) / pd.Timedelta(days=1)).to_numpy()
    shift = (times.hour >= 6) & (times.hour < 22) & (times.day_of_week < 5)
    frames = []
    for i in range(4):
        demand = np.clip(np.where(shift, 0.75, 0.22) + rng.normal(0, 0.04, len(times)), 0.05, 1)
        rated = 40.0 + 20.0 * i
        power = rated * (0.3 + 0.7 * demand) * (1 + rng.normal(0, 0.015, len(times)))
        heat = 1.5 * np.clip(day - TRAIN_DAYS, 0, None) if hot == f"c{i}" else 0.0
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s",
                    "asset": f"c{i}",
                    "asset_type": "air_compressor",
                    "load": 100 * demand,
                    "power": power,
                    "flow": rated * 9.6 * demand * (1 + rng.normal(0, 0.01, len(times))),
                    "discharge_temperature": 70
                    + 16 * demand
                    + heat
                    + rng.normal(0, 0.3, len(times)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def alarms_after_training(*, hot: str | None = None) -> pd.DataFrame:
    return trained_alarms(
        compressors(days=22, hot=hot),
        asset_type="air_compressor",
        train_end=START + pd.Timedelta(days=TRAIN_DAYS),
        config=CONFIG,
    )


def test_two_weekends_at_low_load_open_no_alarm() -> None:
    assert alarms_after_training().empty


def test_a_compressor_heating_up_still_alarms() -> None:
    alarms = alarms_after_training(hot="c2")
    assert set(alarms.index.get_level_values("asset")) == {"c2"}
