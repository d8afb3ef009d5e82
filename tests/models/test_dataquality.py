"""Data-quality checks on feature windows: a sensor that froze for most of a window and came
back is a frozen sensor, a controller held at its limit is not."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from models.dataquality import stuck_sensors
from models.features import window_features

START = pd.Timestamp("2026-03-02T06:00", tz="UTC")


def compressor(minutes: int = 120) -> pd.DataFrame:
    """Readings every minute over two hours of a compressor; its load ramps up in the second."""
    rng = np.random.default_rng(5)
    n = minutes
    load = np.clip(np.where(np.arange(n) < 60, 20.0, 75.0) + rng.normal(0, 3, n), 10.0, 100.0)
    return pd.DataFrame(
        {
            "time": pd.date_range(START, periods=n, freq="1min"),
            "site": "s",
            "asset": "c1",
            "asset_type": "air_compressor",
            "load": load,
            "pressure": 7.5 - 0.005 * load + rng.normal(0, 0.03, n),
            "oil_temperature": 70 + 0.1 * load + rng.normal(0, 0.2, n),
        }
    )


def flagged(raw: pd.DataFrame) -> list[str]:
    fw = window_features(raw, every=timedelta(hours=1))
    return stuck_sensors(fw.features, fw.meta, min_readings=5).tolist()


def test_a_sensor_frozen_for_most_of_a_window_is_stuck() -> None:
    raw = compressor()
    frozen = (raw.index >= 60) & (raw.index < 112)  # 52 of the second hour's 60 readings
    raw.loc[frozen, "pressure"] = float(raw["pressure"].iloc[59])
    assert flagged(raw) == ["", "pressure"]


def test_a_demand_held_at_its_limit_or_a_few_repeats_are_not() -> None:
    raw = compressor()
    raw.loc[raw.index[:50], "load"] = 10.0  # the controller at its minimum load
    raw.loc[raw.index[70:75], "oil_temperature"] = 78.0  # five equal readings in a row
    assert flagged(raw) == ["", ""]
