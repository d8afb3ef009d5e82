"""Features for remaining useful life, per row, from each unit's history up to that row.

Sensors are first normalised per operating regime: a regime is a cluster of the operating-setting
columns (found by k-means; one regime when the settings only wobble, as in C-MAPSS FD001, six in
FD002), and each sensor is centred and scaled by its mean and spread within the regime, so a
change of load or altitude is not read as wear. Sensors that do not move within their regimes
(constants, two-valued flags) are dropped. Then, per unit and causally (a row sees only its own
past): exponentially weighted means at a short and a long half-life, the drift of the short one
from the unit's own first cycles (its initial state: engines start with unknown wear), a
trailing least-squares slope, and the unit's age.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> rows = [(u, t, 0.0, t * 0.01 * u + rng.normal(0, 0.1)) for u in (1, 2) for t in range(30)]
>>> history = pd.DataFrame(rows, columns=["unit", "cycle", "setting1", "s1"])
>>> f = RulFeatures().fit(history, unit_col="unit", time_col="cycle")
>>> f.sensors, f.regimes
(['s1'], 1)
>>> table = f.transform(history, unit_col="unit", time_col="cycle")
>>> bool(table["s1|ew_long"].iloc[-1] > table["s1|ew_long"].iloc[29])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

# Half-lives, in rows (cycles, windows): the short mean follows the latest state, the long one
# averages the sensor noise away; the slope looks back over SLOPE_ROWS rows.
SHORT_HALFLIFE = 3.0
LONG_HALFLIFE = 12.0
SLOPE_ROWS = 30
# Rows at a unit's start that make its own baseline.
BASELINE_ROWS = 15
# A regime split is kept only when the clusters explain nearly all the settings' spread.
_REGIME_EXPLAINED = 0.99
_MAX_REGIMES = 8


class FeatureError(ValueError):
    """The histories cannot make features (no sensor moves, a column is not numeric)."""


def setting_columns(columns: list[str]) -> list[str]:
    """Columns read as operating settings by default: names starting with setting or op_."""
    return [c for c in columns if c.lower().startswith(("setting", "op_"))]


def find_regimes(settings: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(centres, scale) of the operating regimes in standardised setting space; one centre when
    no split into up to eight clusters explains 99 % of the settings' spread."""
    if settings.shape[1] == 0:
        return np.zeros((1, 0)), np.ones(0)
    scale = settings.std(axis=0)
    scale[scale == 0] = 1.0
    z = (settings - settings.mean(axis=0)) / scale
    total = float(((z - z.mean(axis=0)) ** 2).sum())
    centre = z.mean(axis=0, keepdims=True)
    if total == 0:
        return centre, scale
    sample = z[np.random.default_rng(seed).permutation(len(z))[:2000]]
    for k in range(2, _MAX_REGIMES + 1):
        if len(np.unique(sample, axis=0)) < k:
            break
        km = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(sample)
        if 1 - km.inertia_ / ((sample - sample.mean(axis=0)) ** 2).sum() >= _REGIME_EXPLAINED:
            order = np.lexsort(km.cluster_centers_.T[::-1])
            return km.cluster_centers_[order], scale
    return centre, scale


class RulFeatures:
    """Learns the regimes and the per-regime sensor scales; builds the feature table."""

    def __init__(self) -> None:
        self.settings: list[str] = []
        self.sensors: list[str] = []
        self.settings_mean = np.zeros(0)
        self.settings_scale = np.ones(0)
        self.centres = np.zeros((1, 0))
        self.mean = np.zeros((1, 0))
        self.std = np.ones((1, 0))

    @property
    def regimes(self) -> int:
        return len(self.centres)

    def _regime(self, frame: pd.DataFrame) -> np.ndarray:
        if not self.settings:
            return np.zeros(len(frame), dtype=int)
        z = (frame[self.settings].to_numpy(dtype=float) - self.settings_mean) / self.settings_scale
        distance = ((z[:, None, :] - self.centres[None, :, :]) ** 2).sum(axis=2)
        regime: np.ndarray = distance.argmin(axis=1)
        return regime

    def fit(
        self,
        history: pd.DataFrame,
        *,
        unit_col: str,
        time_col: str,
        settings: list[str] | None = None,
    ) -> RulFeatures:
        others = [c for c in history.columns if c not in (unit_col, time_col)]
        self.settings = setting_columns(others) if settings is None else list(settings)
        candidates = [c for c in others if c not in self.settings]
        not_numeric = [c for c in candidates if not pd.api.types.is_numeric_dtype(history[c])]
        if not_numeric:
            raise FeatureError(f"columns not numeric: {', '.join(not_numeric)}")
        raw = history[self.settings].to_numpy(dtype=float)
        self.settings_mean = raw.mean(axis=0) if len(raw) else np.zeros(0)
        self.centres, self.settings_scale = find_regimes(raw)
        regime = self._regime(history)
        values = history[candidates].to_numpy(dtype=float)
        mean = np.zeros((self.regimes, len(candidates)))
        std = np.ones((self.regimes, len(candidates)))
        moving = np.ones(len(candidates), dtype=bool)
        for r in range(self.regimes):
            part = values[regime == r]
            mean[r] = np.nanmean(part, axis=0)
            std[r] = np.nanstd(part, axis=0)
            distinct = np.array([len(np.unique(part[:, j])) for j in range(part.shape[1])])
            moving &= (std[r] > 1e-9 * np.maximum(np.abs(mean[r]), 1.0)) & (distinct > 5)
        if not moving.any():
            raise FeatureError("no sensor column varies within its operating regime")
        self.sensors = [c for c, keep in zip(candidates, moving, strict=True) if keep]
        self.mean, self.std = mean[:, moving], std[:, moving]
        return self

    def normalised(self, history: pd.DataFrame) -> np.ndarray:
        regime = self._regime(history)
        values = history[self.sensors].to_numpy(dtype=float)
        z: np.ndarray = (values - self.mean[regime]) / self.std[regime]
        return z

    def transform(self, history: pd.DataFrame, *, unit_col: str, time_col: str) -> pd.DataFrame:
        """One feature row per history row (the history sorted by unit and time first)."""
        ordered = history.sort_values([unit_col, time_col], kind="stable")
        z = pd.DataFrame(self.normalised(ordered), columns=self.sensors, index=ordered.index)
        groups = z.groupby(ordered[unit_col].to_numpy(), sort=False)
        short = groups.transform(lambda s: s.ewm(halflife=SHORT_HALFLIFE).mean())
        long = groups.transform(lambda s: s.ewm(halflife=LONG_HALFLIFE).mean())
        base = groups.transform(lambda s: _baseline(s.to_numpy(), BASELINE_ROWS))
        slope = groups.transform(lambda s: _trailing_slope(s.to_numpy(), SLOPE_ROWS))
        parts = {
            "ew_short": short,
            "ew_long": long,
            "drift": long - base,
            "slope": slope,
        }
        table = pd.concat([p.add_suffix(f"|{name}") for name, p in parts.items()], axis=1)
        age = ordered.groupby(unit_col, sort=False).cumcount() + 1
        table["age"] = age.to_numpy()
        return table

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {
            "settings_mean": self.settings_mean,
            "settings_scale": self.settings_scale,
            "centres": self.centres,
            "mean": self.mean,
            "std": self.std,
        }
        return arrays, {"settings": self.settings, "sensors": self.sensors}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> RulFeatures:
        f = cls()
        f.settings, f.sensors = list(meta["settings"]), list(meta["sensors"])
        f.settings_mean, f.settings_scale = arrays["settings_mean"], arrays["settings_scale"]
        f.centres, f.mean, f.std = arrays["centres"], arrays["mean"], arrays["std"]
        return f


def _baseline(values: np.ndarray, rows: int) -> np.ndarray:
    """Mean of a unit's first ``rows`` values, seen causally: before that, of those so far."""
    upto = np.minimum(np.arange(len(values)), rows - 1)
    mean: np.ndarray = np.cumsum(values)[upto] / (upto + 1)
    return mean


def _trailing_slope(values: np.ndarray, rows: int) -> np.ndarray:
    """Least-squares slope over each row's trailing ``rows`` values (fewer at the start)."""
    n = len(values)
    t = np.arange(n, dtype=float)
    st, sy, stt, sty = (
        np.concatenate([[0.0], np.cumsum(a)]) for a in (t, values, t * t, t * values)
    )
    hi = np.arange(1, n + 1)
    lo = np.maximum(hi - rows, 0)
    k = hi - lo
    mt, my = (st[hi] - st[lo]) / k, (sy[hi] - sy[lo]) / k
    var = (stt[hi] - stt[lo]) / k - mt * mt
    cov = (sty[hi] - sty[lo]) / k - mt * my
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(var > 0, cov / var, 0.0)
    return slope
