"""Degradation trend: a straight line through a health indicator, and when it reaches failure.

The health indicator (HI) of a window is its largest |robust z| over the fitted features (median
and MAD from healthy data). A rolling median of ``smooth`` windows takes out spikes, then a
least-squares line over the last ``span`` windows gives the slope per day. The score is the HI the
line projects ``horizon_days`` ahead (never below today's level): a bearing that wears slowly
scores high days before its vibration is alarming by itself. ``failure_at`` says when the line
crosses ``failure_z``: this is the work order's "predicted failure at", and what makes the
maintenance proactive rather than reactive.

>>> import numpy as np, pandas as pd
>>> t = pd.date_range("2026-01-01", periods=96, freq="1h", tz="UTC")
>>> idx = pd.MultiIndex.from_product([["p1"], t], names=["asset", "time"])
>>> rng = np.random.default_rng(3)
>>> healthy = pd.DataFrame({"vib": rng.normal(1.0, 0.05, 96)}, index=idx)
>>> d = DegradationTrend(span=48, failure_z=8.0, horizon_days=3.0).fit(healthy)
>>> wearing = healthy.assign(vib=1.0 + np.linspace(0.0, 0.2, 96))  # +0.05/day, 1 z per day
>>> round(float(d.score(wearing).iloc[-1]), 1)
6.5
>>> d.failure_at(wearing).iloc[-1].floor("D")
Timestamp('2026-01-09 00:00:00+0000', tz='UTC')
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from models.detectors._common import aligned, numeric, shares
from models.features import robust_scale
from models.rul.lead import LeadCalibration

_DAY_S = 86400.0


def linear_trend(
    t_days: np.ndarray, y: np.ndarray, *, min_points: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of (n, k) arrays, the least-squares slope and the fitted value at the last valid t.

    NaN in ``y`` is skipped; a row with fewer than ``min_points`` points has slope 0 and its mean.
    """
    valid = np.isfinite(y) & np.isfinite(t_days)
    count = valid.sum(axis=1)
    tv = np.where(valid, t_days, 0.0)
    yv = np.where(valid, y, 0.0)
    n = np.maximum(count, 1)
    mean_t = tv.sum(axis=1) / n
    mean_y = yv.sum(axis=1) / n
    dt = np.where(valid, t_days - mean_t[:, None], 0.0)
    var_t = (dt**2).sum(axis=1)
    cov = (dt * np.where(valid, y - mean_y[:, None], 0.0)).sum(axis=1)
    slope = np.divide(
        cov, var_t, out=np.zeros_like(cov), where=(var_t > 0) & (count >= max(min_points, 3))
    )
    last_t = np.where(valid, t_days, -np.inf).max(axis=1)
    last_t = np.where(np.isfinite(last_t), last_t, 0.0)
    level = np.where(count > 0, mean_y + slope * (last_t - mean_t), 0.0)
    return slope, level


class DegradationTrend:
    name = "trend"

    def __init__(
        self,
        *,
        span: int = 48,
        smooth: int = 6,
        failure_z: float = 8.0,
        horizon_days: float = 3.0,
        max_lead_days: float = 60.0,
        lead_interval: tuple[float, float] | None = None,
        lead_calibration: LeadCalibration | None = None,
    ) -> None:
        self.span, self.smooth = span, smooth
        # Conformal calibration of the failure time and its interval, in days
        # (``models.rul.lead``); None: the line's own time and its slope's interval.
        self.lead_calibration = lead_calibration
        # The earlier calibration, read from versions saved before it was replaced: quantiles
        # of log(true lead / predicted lead).
        self.lead_interval = lead_interval
        self.failure_z, self.horizon_days, self.max_lead_days = (
            failure_z,
            horizon_days,
            max_lead_days,
        )
        self.columns: list[str] = []
        self.center = np.zeros(0)
        self.scale = np.ones(0)

    def fit(self, features: pd.DataFrame) -> DegradationTrend:
        data = numeric(features)
        self.columns = list(data.columns)
        self.center, self.scale = robust_scale(data.to_numpy(dtype=float, na_value=np.nan))
        return self

    def _abs_z(self, features: pd.DataFrame, *, nan: float = 0.0) -> np.ndarray:
        z = np.abs((aligned(features, self.columns) - self.center) / self.scale)
        return np.nan_to_num(z, nan=nan, posinf=1e6)

    def health(self, features: pd.DataFrame) -> pd.Series:
        """The health indicator per row: largest |robust z| (0 before fit).

        NaN when every feature is missing, as the slow features are in an asset's first windows:
        a 0 there would put a step into the line (from 0 to the first real level) that reads as
        fast wear; NaN is skipped by the running median and by the line.
        """
        if not self.columns:
            return pd.Series(np.zeros(len(features)), index=features.index)
        z = self._abs_z(features, nan=-np.inf)
        values = z.max(axis=1) if z.shape[1] else np.full(len(features), -np.inf)
        return pd.Series(np.where(np.isfinite(values), values, np.nan), index=features.index)

    def project(
        self, t_days: np.ndarray, smoothed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, slope per day, level) from (n, ``span``) arrays of smoothed health values,
        oldest first, NaN where there is no history yet. The scoring job keeps these arrays as
        its state; ``score`` over a frame builds them from the frame: both decide alike.

        A line through fewer points is noisier (its slope's spread falls with the cube of the
        points), and the threshold was calibrated on full spans: the slope counts only once the
        whole span is there. Until then (an asset's first windows, and every asset after a new
        model version is loaded, whose health scale differs) the score is the level alone; with
        half a span, every asset alarmed in the first minute after a promotion
        (bench/latency.py).
        """
        slope, level = linear_trend(t_days, smoothed, min_points=self.span)
        score = np.maximum(np.maximum(level, level + slope * self.horizon_days), 0.0)
        return score, slope, level

    def spans(self, features: pd.DataFrame) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per asset: (row positions, times in days, smoothed health), the last two as
        (rows, ``span``) arrays of each row's trailing span, oldest first, NaN-padded."""
        hi = self.health(features).to_numpy()
        t_all = _days(features.index)
        groups = (
            features.groupby(level="asset", sort=False).indices
            if isinstance(features.index, pd.MultiIndex) and "asset" in features.index.names
            else {None: np.arange(len(hi))}
        )
        pad = np.full(self.span - 1, np.nan)
        for positions in groups.values():
            raw = np.concatenate([np.full(self.smooth - 1, np.nan), hi[positions]])
            smoothed = row_median(sliding_window_view(raw, self.smooth))
            y = sliding_window_view(np.concatenate([pad, smoothed]), self.span)
            t = sliding_window_view(np.concatenate([pad, t_all[positions]]), self.span)
            yield np.asarray(positions), t, y

    def _trend(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, slope per day, level) for every row, from its asset's trailing history."""
        score, slope, level = (np.zeros(len(features)) for _ in range(3))
        for positions, t, y in self.spans(features):
            score[positions], slope[positions], level[positions] = self.project(t, y)
        return score, slope, level

    def score(self, features: pd.DataFrame) -> pd.Series:
        if not self.columns or len(features) == 0:
            return pd.Series(np.zeros(len(features)), index=features.index, name=self.name)
        score, _, _ = self._trend(features)
        return pd.Series(score, index=features.index, name=self.name)

    def failure_at(self, features: pd.DataFrame) -> pd.Series:
        """When each row's trend line crosses ``failure_z`` (NaT: not rising, or too far away)."""
        if not self.columns or len(features) == 0:
            return pd.Series(pd.NaT, index=features.index, dtype="datetime64[ns, UTC]")
        _, slope, level = self._trend(features)
        return pd.Series(
            crossing_time(slope, level, _days(features.index), self.failure_z, self.max_lead_days),
            index=features.index,
        )

    def explain(self, features: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            shares(self._abs_z(features)), index=features.index, columns=self.columns
        )

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        meta = {
            "columns": self.columns,
            "span": self.span,
            "smooth": self.smooth,
            "failure_z": self.failure_z,
            "horizon_days": self.horizon_days,
            "max_lead_days": self.max_lead_days,
            "lead_interval": None if self.lead_interval is None else list(self.lead_interval),
            "lead_calibration": None
            if self.lead_calibration is None
            else self.lead_calibration.to_json(),
        }
        return {"center": self.center, "scale": self.scale}, meta

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> DegradationTrend:
        params = {k: meta[k] for k in ("span", "smooth", "failure_z", "horizon_days")}
        interval = meta.get("lead_interval")
        detector = cls(
            **params,
            max_lead_days=meta["max_lead_days"],
            lead_interval=None if interval is None else (float(interval[0]), float(interval[1])),
            lead_calibration=None
            if meta.get("lead_calibration") is None
            else LeadCalibration.from_json(meta["lead_calibration"]),
        )
        detector.columns = list(meta["columns"])
        detector.center, detector.scale = arrays["center"], arrays["scale"]
        return detector


def row_median(values: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (rows need one value at least): ``np.nanmedian`` without
    its per-row overhead, for the scoring job's (assets, smooth) arrays."""
    ordered = np.sort(values, axis=1)  # NaN sorts last
    count = np.isfinite(values).sum(axis=1)
    rows = np.arange(len(values))
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, np.minimum(count // 2, values.shape[1] - 1)]
    median: np.ndarray = (low + high) / 2
    return median


def crossing_time(
    slope: np.ndarray, level: np.ndarray, t_days: np.ndarray, failure_z: float, max_days: float
) -> pd.DatetimeIndex:
    """Time (UTC) where ``level + slope * d`` reaches ``failure_z``; NaT when not within reach."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ahead = np.where(level >= failure_z, 0.0, (failure_z - level) / slope)
    ok = (slope > 0) | (level >= failure_z)
    ok &= np.isfinite(ahead) & (ahead <= max_days)
    seconds = np.where(ok, (t_days + np.where(ok, ahead, 0.0)) * _DAY_S, np.nan)
    return pd.to_datetime(np.round(seconds), unit="s", utc=True)


def _days(index: pd.Index) -> np.ndarray:
    """Row times in days since the epoch (row positions when the index carries no time)."""
    times: pd.Index | None = None
    if isinstance(index, pd.MultiIndex) and "time" in index.names:
        times = index.get_level_values("time")
    elif isinstance(index, pd.DatetimeIndex):
        times = index
    if times is None:
        return np.arange(len(index), dtype=float)
    stamps = pd.DatetimeIndex(times)
    stamps = stamps.tz_localize("UTC") if stamps.tz is None else stamps
    return np.asarray(stamps.as_unit("s").asi8, dtype=float) / _DAY_S
