"""Feature windows: telemetry rows turned into one row of features per asset and window.

Everything is computed with grouped pandas operations over all assets at once, never a Python
loop per asset. Feature names are ``<metric>:<statistic>`` so a contribution can always be traced
back to the metric (and from there to a fault code).

Per-asset normalisation (``Baselines``) turns features into robust z-scores against the asset's
own healthy baseline, so two pumps of different size share one model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

TAGS = ("site", "asset", "asset_type")
SEP = ":"
VIBRATION = ("vibration_rms", "vibration_peak")
TEMPERATURES = (
    "temperature",
    "bearing_temperature",
    "winding_temperature",
    "discharge_temperature",
    "oil_temperature",
)
AMBIENT = "ambient_temperature"
# What counts as "work" for power per unit of work, in order of preference (an elevator's load,
# its share of rated power while it rides, before its trip count: one or two trips a minute
# would halve or double its power per trip).
WORK = ("flow", "cooling_output", "load", "trips", "speed")
# Equipment that works in bursts reports them: its health shows while it works, so its health
# metrics also get a level over the working rows only (``<metric>:working``). An elevator rides a
# few minutes an hour and not at all on a weekend night; an hourly median is mostly standby.
BURSTS = "trips"
# Its conditions also get their mean over the window (``<metric>:duty``), the operating context's
# input in place of their median level (``models.context.condition_columns``).
DUTY = "duty"
PHASES = ("current_l1", "current_l2", "current_l3")
# Operating conditions, not health: they follow demand (on/off, load), so their levels are
# bimodal and alarm on every start and stop. Health shows in ratios of them instead (power per
# unit of work, phase asymmetry), which are kept.
CONDITIONS = ("power", "current", *PHASES, "load", "speed", "cooling_output", "trips", "voltage")
# Meta column per gauge: the longest run of exactly repeated readings in the window
# (``held_runs``; the data-quality check reads it, ``models.dataquality.stuck_sensors``).
HELD = "held"
# Counters: only their last value per window means anything.
COUNTERS = ("energy", "operating_hours")
DERIVED_POWER = "power_per_work"
DERIVED_ASYMMETRY = "current_asymmetry"

_FAULT_BY_METRIC = {
    **dict.fromkeys(VIBRATION, "mechanical"),
    **dict.fromkeys((*TEMPERATURES, AMBIENT), "thermal"),
    DERIVED_POWER: "energy_drift",
    "power": "energy_drift",
    "energy": "energy_drift",
    DERIVED_ASYMMETRY: "electrical",
    **dict.fromkeys((*PHASES, "current", "voltage"), "electrical"),
    **dict.fromkeys(("flow", "pressure", "suction_pressure", "load", "speed"), "process"),
}


def metric_of(feature: str) -> str:
    """The metric a feature comes from (``vibration_rms_slow:level`` -> ``vibration_rms``)."""
    return feature.split(SEP, 1)[0].removesuffix("_slow")


def fault_code_for(metric_or_feature: str) -> str:
    """The fault code a contributing metric suggests (vibration -> mechanical, ...)."""
    metric = metric_of(metric_or_feature)
    if metric in _FAULT_BY_METRIC:
        return _FAULT_BY_METRIC[metric]
    lowered = metric.lower()
    for key, code in (
        ("vib", "mechanical"),
        ("accel", "mechanical"),
        ("temp", "thermal"),
        ("thermo", "thermal"),
        ("current", "electrical"),
        ("voltage", "electrical"),
        ("power", "energy_drift"),
        ("flow", "process"),
        ("pressure", "process"),
    ):
        if key in lowered:
            return code
    return "anomaly"


def metric_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c != "time" and c not in TAGS and pd.api.types.is_numeric_dtype(frame[c])
    ]


def add_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Row-level derived metrics: power per unit of work, phase-current asymmetry, rise over ambient."""
    out = frame.copy()
    if "power" in out:
        for work in WORK:
            if work in out:
                denom = out[work].where(out[work] > 1e-6)
                out[DERIVED_POWER] = out["power"] / denom
                break
    phases = [p for p in PHASES if p in out]
    if len(phases) >= 2:
        values = out[phases]
        mean = values.mean(axis=1)
        out[DERIVED_ASYMMETRY] = (values.max(axis=1) - values.min(axis=1)) / mean.where(mean > 1e-6)
    if AMBIENT in out:
        for metric in TEMPERATURES:
            if metric in out:
                out[f"{metric}_rise"] = out[metric] - out[AMBIENT]
    return out


@dataclass(frozen=True, slots=True)
class FeatureWindows:
    """``features``: numeric, index (asset, time = window start). ``meta``: site, asset_type, n."""

    features: pd.DataFrame
    meta: pd.DataFrame


def window_features(frame: pd.DataFrame, *, every: timedelta) -> FeatureWindows:
    """One row per asset and window of length ``every`` (tumbling, aligned to the epoch).

    >>> t = pd.date_range("2026-01-01", periods=120, freq="1min", tz="UTC")
    >>> raw = pd.DataFrame({"time": t, "site": "s", "asset": "p1", "asset_type": "pump",
    ...                     "vibration_rms": np.linspace(1.0, 2.0, 120)})
    >>> fw = window_features(raw, every=timedelta(hours=1))
    >>> fw.features.shape, round(float(fw.features["vibration_rms:level"].iloc[1]), 2)
    ((2, 6), 1.75)
    """
    if frame.empty:
        empty_index = pd.MultiIndex.from_arrays(
            [pd.Index([], dtype=object), pd.DatetimeIndex([], tz="UTC")], names=["asset", "time"]
        )
        return FeatureWindows(
            pd.DataFrame(index=empty_index),
            pd.DataFrame(index=empty_index, columns=["site", "asset_type", "n"]),
        )
    data = add_derived(frame)
    metrics = metric_columns(data)
    data["time"] = pd.to_datetime(data["time"], utc=True)
    bucket = data["time"].dt.floor(pd.Timedelta(every)).rename("window")
    keys = [data["asset"], bucket]
    grouped = data.groupby(keys, sort=True)
    gauges = [m for m in metrics if m not in COUNTERS]
    parts: dict[str, pd.Series] = {}
    level = grouped[gauges].median()
    spread = grouped[gauges].std(ddof=0)
    for m in gauges:
        parts[f"{m}{SEP}level"] = level[m]
        parts[f"{m}{SEP}spread"] = spread[m]
    if BURSTS in data:
        for m, series in _working_levels(data, gauges, keys).items():
            parts[f"{m}{SEP}working"] = series
        # What the work did over the window: a lift's median load is its idle value in every
        # hour but the busiest, while its motor heats with the rides of the whole hour.
        duty = [m for m in gauges if m in CONDITIONS]
        means = grouped[duty].mean()
        for m in duty:
            parts[f"{m}{SEP}{DUTY}"] = means[m]
    for m in [v for v in VIBRATION if v in metrics]:
        x = data[m]
        moments = pd.DataFrame({"m1": x, "m2": x**2, "m3": x**3, "m4": x**4, "abs": x.abs()})
        g = moments.groupby(keys, sort=True)
        mean = g[["m1", "m2", "m3", "m4"]].mean()
        mu, m2 = mean["m1"], mean["m2"]
        var = (m2 - mu**2).clip(lower=0)
        central4 = mean["m4"] - 4 * mu * mean["m3"] + 6 * mu**2 * m2 - 3 * mu**4
        rms = np.sqrt(m2)
        peak = g["abs"].max()
        parts[f"{m}{SEP}rms"] = rms
        parts[f"{m}{SEP}peak"] = peak
        parts[f"{m}{SEP}kurtosis"] = (central4 / var.where(var > 1e-12) ** 2).fillna(3.0)
        parts[f"{m}{SEP}crest"] = (peak / rms.where(rms > 1e-12)).fillna(1.0)
    temps = [m for m in TEMPERATURES if m in metrics]
    if temps:
        first = grouped[[*temps, "time"]].first()
        last = grouped[[*temps, "time"]].last()
        hours = (last["time"] - first["time"]).dt.total_seconds() / 3600.0
        for m in temps:
            parts[f"{m}{SEP}rate"] = ((last[m] - first[m]) / hours.where(hours > 0)).fillna(0.0)
    for m in [c for c in COUNTERS if c in metrics]:
        parts[f"{m}{SEP}last"] = grouped[m].last()
    features = pd.DataFrame(parts).astype("float64")
    features.index = features.index.set_names(["asset", "time"])
    meta = grouped[["site", "asset_type"]].last()
    meta["n"] = grouped.size()
    held = held_runs(data, gauges, bucket)
    for m in gauges:
        meta[f"{m}{SEP}{HELD}"] = held[m].reindex(meta.index, fill_value=0).to_numpy(dtype=float)
    meta.index = features.index
    return FeatureWindows(features, meta)


def held_runs(data: pd.DataFrame, gauges: list[str], bucket: pd.Series) -> pd.DataFrame:
    """Per (asset, window) and gauge, the longest run of consecutive readings of that gauge with
    exactly the same value, in readings (0 for runs at zero: a stopped machine reads zero).

    A frozen transmitter repeats its last value; if it recovers within the window, the window's
    spread is not zero, and the window went unflagged though it was frozen for most of it.

    >>> t = pd.date_range("2026-01-01", periods=6, freq="10min", tz="UTC")
    >>> raw = pd.DataFrame({"asset": "p1", "time": t, "speed": [5.0, 7, 7, 7, 7, 6],
    ...                     "flow": [0.0, 0, 0, 0, 1, 2]})
    >>> held_runs(raw, ["speed", "flow"], t.floor("1h").to_series(index=raw.index)).values.tolist()
    [[4, 1]]
    """
    # Times as datetime64, not as the Timestamp objects a zoned column turns into (their
    # conversion alone was half of ``window_features``).
    time = data["time"].to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((time, data["asset"].to_numpy()))
    asset = data["asset"].to_numpy()[order]
    window = bucket.to_numpy(dtype="datetime64[ns]")[order]
    # Sorted by asset and time, each (asset, window) is one block of rows: numbered once here,
    # so each gauge's longest run is a maximum over integers (a MultiIndex groupby per gauge was
    # most of ``window_features``).
    first = np.ones(len(order), dtype=bool)
    first[1:] = (asset[1:] != asset[:-1]) | (window[1:] != window[:-1])
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    out = {}
    for m in gauges:
        x = data[m].to_numpy(dtype=float)[order]
        ok = ~np.isnan(x)
        xs, g = x[ok], group[ok]
        same = np.zeros(len(xs), dtype=bool)
        same[1:] = (xs[1:] == xs[:-1]) & (g[1:] == g[:-1]) & (xs[1:] != 0)
        run_id = np.cumsum(~same)
        length = np.bincount(run_id)[run_id]
        length[(xs == 0)] = 0
        longest = np.zeros(len(starts), dtype=np.int64)
        np.maximum.at(longest, g, length)
        out[m] = longest
    windows = bucket.iloc[order[starts]].to_numpy()  # with the bucket's own time zone
    return pd.DataFrame(out, index=pd.MultiIndex.from_arrays([asset[starts], windows]))


def _working_levels(
    data: pd.DataFrame, gauges: list[str], keys: list[pd.Series]
) -> dict[str, pd.Series]:
    """Median of each health gauge over the rows with work (NaN in a window without any: no
    evidence either way)."""
    health = [m for m in gauges if m not in CONDITIONS and m != AMBIENT]
    working = (data[BURSTS].fillna(0) > 0).to_numpy()
    level = data.loc[working, health].groupby([k[working] for k in keys], sort=True).median()
    return {m: level[m] for m in health}


def rolling_features(frame: pd.DataFrame, *, rows: int) -> pd.DataFrame:
    """Per-row features of one series over the trailing ``rows`` rows (for CSV evaluation).

    ``frame`` holds only metric columns in time order. Level is the rolling median and spread the
    rolling standard deviation, as in ``window_features``.

    >>> f = rolling_features(pd.DataFrame({"flow": [1.0, 2.0, 3.0, 4.0]}), rows=2)
    >>> f["flow:level"].tolist(), f["flow:spread"].round(2).tolist()
    ([1.0, 1.5, 2.5, 3.5], [0.0, 0.5, 0.5, 0.5])
    """
    data = add_derived(frame)
    metrics = [m for m in metric_columns(data) if m not in COUNTERS]
    window = data[metrics].rolling(rows, min_periods=1)
    level = window.median().add_suffix(f"{SEP}level")
    spread = window.std(ddof=0).fillna(0.0).add_suffix(f"{SEP}spread")
    out = pd.concat([level, spread], axis=1)
    return out[[f"{m}{SEP}{s}" for m in metrics for s in ("level", "spread")]]


def robust_scale(values: np.ndarray, *, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Median and a MAD-based scale that never is zero (a constant column falls back to 1e-6
    of its level, or 1e-6)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: metric never seen
        median = np.nanmedian(values, axis=axis)
        mad = np.nanmedian(np.abs(values - median), axis=axis) * 1.4826
        std = np.nanstd(values, axis=axis)
    scale = np.where(mad > 1e-9, mad, std)
    floor = np.maximum(np.abs(median) * 1e-6, 1e-6)
    scale = np.where(np.isfinite(scale) & (scale > floor), scale, floor)
    return np.nan_to_num(median), scale


@dataclass
class Baselines:
    """Each asset's healthy median and scale per feature; ``normalise`` gives robust z-scores."""

    columns: list[str]
    assets: list[str]
    median: np.ndarray  # (assets, columns)
    scale: np.ndarray

    @classmethod
    def fit(cls, features: pd.DataFrame) -> Baselines:
        """``features`` indexed (asset, time), healthy windows only."""
        columns = list(features.columns)
        assets = sorted(features.index.get_level_values("asset").unique())
        med = np.zeros((len(assets), len(columns)))
        scale = np.ones((len(assets), len(columns)))
        for i, (_, block) in enumerate(features.groupby(level="asset", sort=True)):
            med[i], scale[i] = robust_scale(block.to_numpy(dtype=float))
        return cls(columns, assets, med, scale)

    def floored_by(self, reference: Baselines) -> Baselines:
        """The same baselines with each scale at least the reference assets' typical relative
        scale times this asset's level: a baseline learned from a few warm-up windows is too
        confident, and would alarm on ordinary noise."""
        if not reference.assets:
            return self
        cols = [reference.columns.index(c) if c in reference.columns else -1 for c in self.columns]
        take = np.array(cols, dtype=int)
        relative = np.median(reference.scale / np.maximum(np.abs(reference.median), 1e-9), axis=0)[
            np.maximum(take, 0)
        ]
        floor = np.where(take >= 0, relative * np.abs(self.median), 0.0)
        return Baselines(self.columns, self.assets, self.median, np.maximum(self.scale, floor))

    def normalise(self, features: pd.DataFrame) -> pd.DataFrame:
        """Robust z per feature; rows of assets without a baseline and unknown columns are NaN."""
        cols = [c for c in features.columns if c in self.columns]
        col_idx = [self.columns.index(c) for c in cols]
        position = {a: i for i, a in enumerate(self.assets)}
        rows = features.index.get_level_values("asset").map(lambda a: position.get(a, -1))
        rows_arr = np.asarray(rows, dtype=int)
        known = rows_arr >= 0
        med = self.median[np.where(known, rows_arr, 0)][:, col_idx]
        scale = self.scale[np.where(known, rows_arr, 0)][:, col_idx]
        z = (features[cols].to_numpy(dtype=float) - med) / scale
        z[~known] = np.nan
        return pd.DataFrame(z, index=features.index, columns=cols)
