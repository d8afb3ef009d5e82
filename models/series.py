"""Features of a single series at several time scales (``vigil models evaluate`` on a CSV with
one metric column, say a machine's temperature every 5 minutes over months).

One column gives a detector little to compare, and its biggest movements are the normal ones:
the daily cycle and the weekend. So the series is first taken relative to its usual value at
that hour of the day, weekdays and weekends apart (learned on the training rows), and the
residual is described at three scales:

- ``short``: its median over the last hour (a sudden step);
- ``long``: its mean over the last day (a drift too small to see hour to hour);
- ``rate``: how much the day's mean moved since the day before (a failure building over days);
- ``spread``: its standard deviation over the last hour (erratic readings).

Windows are given in time and turned into rows from the series' own cadence.

>>> import numpy as np, pandas as pd
>>> t = pd.Series(pd.date_range("2026-01-05", periods=24 * 12 * 14, freq="5min"))
>>> daily = 5 * np.sin(2 * np.pi * t.dt.hour.to_numpy() / 24)
>>> f = multiscale_features(t, pd.Series(20 + daily), name="temp", train=np.arange(len(t)) < 2000)
>>> list(f.columns), float(f["temp:long"].abs().max()) < 1e-9
(['temp:short', 'temp:long', 'temp:rate', 'temp:spread'], True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from models.features import SEP


@dataclass(frozen=True)
class Scales:
    short: timedelta = timedelta(hours=1)
    long: timedelta = timedelta(days=1)


def rows_per(times: pd.Series, span: timedelta) -> int:
    """How many rows of this series ``span`` holds (its median spacing; at least 1)."""
    spacing = pd.to_datetime(times, utc=True).diff().median()
    if pd.isna(spacing) or spacing <= pd.Timedelta(0):
        return 1
    return max(1, round(pd.Timedelta(span) / spacing))


def usual_profile(times: pd.Series, values: pd.Series, train: np.ndarray) -> np.ndarray:
    """Per row, the training rows' median at the same hour of day (weekdays and weekends
    apart; an hour never seen in training falls back to the whole training median)."""
    stamps = pd.to_datetime(times, utc=True)
    key = stamps.dt.hour.to_numpy() + 24 * (stamps.dt.day_of_week.to_numpy() >= 5)
    frame = pd.DataFrame({"key": key, "value": values.to_numpy(dtype=float)})
    learned = frame[train].groupby("key")["value"].median()
    overall = float(np.nanmedian(frame.loc[train, "value"])) if train.any() else 0.0
    return frame["key"].map(learned).fillna(overall).to_numpy(dtype=float)


def multiscale_features(
    times: pd.Series,
    values: pd.Series,
    *,
    name: str,
    train: np.ndarray,
    scales: Scales = Scales(),
) -> pd.DataFrame:
    """Feature rows (same positions as ``values``) of one series; ``train`` marks the rows the
    usual daily and weekly profile is learned from."""
    residual = pd.Series(
        values.to_numpy(dtype=float) - usual_profile(times, values, train), index=values.index
    )
    short = rows_per(times, scales.short)
    long = rows_per(times, scales.long)
    day_mean = residual.rolling(long, min_periods=1).mean()
    days = scales.long / timedelta(days=1)
    out = pd.DataFrame(
        {
            f"{name}{SEP}short": residual.rolling(short, min_periods=1).median(),
            f"{name}{SEP}long": day_mean,
            f"{name}{SEP}rate": (day_mean - day_mean.shift(long)).fillna(0.0) / days,
            f"{name}{SEP}spread": residual.rolling(short, min_periods=1).std(ddof=0).fillna(0.0),
        }
    )
    return out
