"""Slow features: an exponentially weighted mean of each level per asset.

Wear and drift move a level by less than its hour-to-hour noise at first; averaged over a
day-ish, the same move stands out days earlier. The batch form (``add_slow``) and the scoring
job's recursive form (``ewm_step``) compute the same numbers: pandas' ``ewm(adjust=False,
ignore_na=True)`` is exactly ``s = s + alpha * (x - s)``, starting at the first value.

>>> import pandas as pd
>>> idx = pd.MultiIndex.from_product([["a"], pd.date_range("2026-01-01", periods=4, freq="h")],
...                                  names=["asset", "time"])
>>> f = pd.DataFrame({"flow:level": [0.0, 4.0, 4.0, 4.0]}, index=idx)
>>> add_slow(f, halflife=1.0)["flow_slow:level"].tolist()
[nan, nan, 3.0, 3.5]

The first ``warmup(halflife)`` values of an asset are NaN (neutral to every detector): a mean of
one or two windows is as noisy as the window itself and would alarm against the slow baseline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.features import DUTY, SEP

SLOW = "_slow"
_SLOW_STATS = ("level", "rate", "working", DUTY)


def slow_name(column: str) -> str:
    metric, stat = column.split(SEP, 1)
    return f"{metric}{SLOW}{SEP}{stat}"


def slow_sources(columns: list[str] | pd.Index) -> list[str]:
    return [
        c
        for c in columns
        if SEP in c and c.split(SEP, 1)[1] in _SLOW_STATS and SLOW not in c.split(SEP, 1)[0]
    ]


def warmup(halflife: float) -> int:
    return int(np.ceil(2 * halflife))


def alpha(halflife: float) -> float:
    return float(1.0 - np.exp(np.log(0.5) / halflife))


def add_slow(features: pd.DataFrame, *, halflife: float) -> pd.DataFrame:
    """``features`` (index asset, time; time-ordered per asset) with a slow column per level."""
    sources = slow_sources(features.columns)
    if not sources or features.empty:
        return features
    slow = (
        features[sources]
        .groupby(level="asset", sort=False, group_keys=False)
        .apply(lambda g: g.ewm(halflife=halflife, adjust=False, ignore_na=True).mean())
    )
    slow.columns = [slow_name(c) for c in sources]
    slow = slow.reindex(features.index)
    young = features.groupby(level="asset", sort=False).cumcount().to_numpy() < warmup(halflife)
    slow[young] = np.nan
    return pd.concat([features, slow], axis=1)


def ewm_step(previous: np.ndarray, values: np.ndarray, a: float) -> np.ndarray:
    """One recursive step for rows of assets: NaN values keep the previous mean, a NaN previous
    (first value) starts at the value."""
    updated = np.where(np.isnan(previous), values, previous + a * (values - previous))
    return np.where(np.isnan(values), previous, updated)
