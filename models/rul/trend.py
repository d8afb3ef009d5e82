"""Remaining life from the degradation trend, with an interval, for assets without
run-to-failure history.

The trend detector fits a line through each asset's last ``span`` smoothed health values and
predicts the failure where it crosses ``failure_z``. The interval comes from the uncertainty of
that line's slope: the crossing at slope +/- z standard errors (z = 1.645 for 90 %). Smoothed
values are not independent (a running median over ``smooth`` windows), so the standard error is
that of ``span / smooth`` independent points. This interval is a model's own statement, not a
calibrated one: on the simulator it held the true failure time for only a third of the faults.

So the estimate is calibrated (split conformal by bin of the predicted lead,
``models.rul.lead``): on faults whose true failure time is known (the simulator's tuning draws;
``bench/lead_calibration.py``), the error of the lead the line predicted at the first alarm gives,
per bin, how far to move the line's time and how wide to make its interval: "fails in 30 days"
from a line reads "in 1 to 12 days" when long predictions were that wrong that often.
``bench/quality.py`` measures the coverage on unseen draws. Versions saved before carry the
earlier calibration (``lead_interval``: the lead scaled by log-ratio quantiles), still read.
Once confirmed failures exist, the learned model (``models.rul.model``, ``models.rul.live``)
with its CV+ interval replaces the trend's estimate.

>>> import numpy as np, pandas as pd
>>> from models.detectors.trend import DegradationTrend
>>> times = pd.date_range("2026-01-01", periods=96, freq="h", tz="UTC")
>>> index = pd.MultiIndex.from_product([["a1"], times], names=["asset", "time"])
>>> wear = pd.DataFrame({"vib": np.r_[np.zeros(48), np.linspace(0, 4, 48)]}, index=index)
>>> trend = DegradationTrend(span=24, smooth=3, failure_z=8.0).fit(
...     pd.DataFrame({"vib": np.random.default_rng(0).normal(0, 1, 200)}))
>>> out = trend_failure(trend, wear)
>>> last = out.iloc[-1]
>>> bool(last["failure_low"] <= last["failure_at"] <= last["failure_high"])
True
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from models.detectors.trend import DegradationTrend, crossing_time, linear_trend
from models.rul.lead import LeadCalibration

Z_90 = 1.645


def calibrated_window(
    now: pd.DatetimeIndex, at: pd.DatetimeIndex, bounds: tuple[float, float]
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """(low, high) of the failure time: the predicted lead scaled by exp of the calibrated
    log-ratio quantiles ``bounds``; NaT where ``at`` is NaT. An infinite lower bound (too few
    calibration faults) makes the low end now, an infinite upper one leaves the high end open
    (NaT)."""
    lead = (at - now).total_seconds().to_numpy(dtype=float)
    ends = []
    for bound in bounds:
        factor = math.exp(bound) if bound < math.inf else math.nan
        seconds = np.round(np.where(np.isfinite(lead), np.maximum(lead, 0.0) * factor, np.nan))
        ends.append(now + pd.to_timedelta(seconds, unit="s"))
    return pd.DatetimeIndex(ends[0]), pd.DatetimeIndex(ends[1])


def calibrated_failure(
    now_days: np.ndarray, at: pd.DatetimeIndex, calibration: LeadCalibration
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.DatetimeIndex]:
    """(failure_at, low, high): the line's lead moved and widened by ``calibration`` (in days,
    ``models.rul.lead``); all NaT where the line does not reach the failure level, the high end
    NaT where the calibration leaves it open."""
    # Window starts are whole milliseconds; days as floats are not (a datetime cannot hold the
    # stray nanoseconds).
    start = pd.DatetimeIndex(pd.to_datetime(now_days * 86400.0, unit="s", utc=True)).round("ms")
    lead = (pd.DatetimeIndex(at) - start).total_seconds().to_numpy(dtype=float) / 86400.0
    low, mid, high = calibration.apply(lead)

    def moment(days: np.ndarray) -> pd.DatetimeIndex:
        seconds = np.where(np.isfinite(days), np.round(days * 86400.0), np.nan)
        return pd.DatetimeIndex(start + pd.to_timedelta(seconds, unit="s"))

    return moment(mid), moment(low), moment(high)


def slope_error(t_days: np.ndarray, y: np.ndarray, *, smooth: int) -> np.ndarray:
    """Standard error of the least-squares slope per row of (n, k) arrays (NaN skipped)."""
    slope, level = linear_trend(t_days, y, min_points=3)
    valid = np.isfinite(y) & np.isfinite(t_days)
    count = valid.sum(axis=1)
    last_t = np.where(valid, t_days, -np.inf).max(axis=1)
    with np.errstate(invalid="ignore"):  # padded (NaN) times of a young asset
        fitted = level[:, None] + slope[:, None] * (t_days - last_t[:, None])
    residual = np.where(valid, y - fitted, 0.0)
    mean_t = np.where(valid, t_days, 0.0).sum(axis=1) / np.maximum(count, 1)
    var_t = (np.where(valid, t_days - mean_t[:, None], 0.0) ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = (residual**2).sum(axis=1) / (count - 2)
        error = np.sqrt(sigma2 / var_t * max(smooth, 1))
    return np.where((count > 2) & (var_t > 0), error, np.inf)


def failure_window(
    trend: DegradationTrend, t: np.ndarray, y: np.ndarray, *, z: float = Z_90
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, pd.DatetimeIndex]:
    """(failure_at, low, high) from (n, ``span``) arrays of times (days) and smoothed health,
    the last column being now: the trend's crossing and its interval (calibrated when the
    trend carries a ``lead_calibration`` or an older ``lead_interval``, else the slope's own); NaT when the line does not reach
    the failure level within ``max_lead_days`` (a high end that never comes is NaT while the
    low end may be set)."""
    _, slope, level = trend.project(t, y)
    now = t[:, -1]
    at = crossing_time(slope, level, now, trend.failure_z, trend.max_lead_days)
    if trend.lead_calibration is not None:
        return calibrated_failure(now, at, trend.lead_calibration)
    if trend.lead_interval is not None:
        start = pd.DatetimeIndex(pd.to_datetime(now * 86400.0, unit="s", utc=True))
        low_c, high_c = calibrated_window(start, pd.DatetimeIndex(at), trend.lead_interval)
        return at, low_c, high_c
    error = slope_error(t, y, smooth=trend.smooth)
    spread = np.where(np.isfinite(error), z * error, 0.0)
    # A steeper line fails sooner: the low end of the interval.
    low = crossing_time(slope + spread, level, now, trend.failure_z, trend.max_lead_days)
    high = crossing_time(slope - spread, level, now, trend.failure_z, trend.max_lead_days)
    known = ~pd.isna(at)
    return at, pd.DatetimeIndex(low.where(known)), pd.DatetimeIndex(high.where(known))


def trend_failure(
    trend: DegradationTrend, features: pd.DataFrame, *, z: float = Z_90
) -> pd.DataFrame:
    """Per row of ``features``: ``failure_at``, ``failure_low``, ``failure_high`` (UTC)."""
    n = len(features)
    columns = {name: np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]") for name in _NAMES}
    if trend.columns and n:
        for positions, t, y in trend.spans(features):
            for name, values in zip(_NAMES, failure_window(trend, t, y, z=z), strict=True):
                columns[name][positions] = values.tz_convert(None).to_numpy()
    return pd.DataFrame(
        {name: pd.DatetimeIndex(values).tz_localize("UTC") for name, values in columns.items()},
        index=features.index,
    )


_NAMES = ("failure_at", "failure_low", "failure_high")
