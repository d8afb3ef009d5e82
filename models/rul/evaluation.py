"""Judging remaining-life predictions, and the C-MAPSS-style validation split.

The C-MAPSS test protocol: each test unit's history stops some cycles before its failure, the
model predicts at its last row, and the prediction is compared with the true remaining life. A
validation set is made the same way from run-to-failure units the model has not seen (split by
unit, never by row): each is cut at a random row.

>>> import numpy as np
>>> round(phm08_score(np.array([10.0, 20.0]), np.array([0.0, 30.0])), 2)
2.88
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# The published FD001 test units stop 7 to 145 cycles before failure, after at least 31 cycles.
CUT_RUL = (5, 150)
MIN_ROWS = 31


def phm08_score(predicted: np.ndarray, truth: np.ndarray) -> float:
    """The PHM08 challenge's asymmetric score: a late prediction (predicted > true) costs more
    than an early one. ``sum(exp(-d/13) - 1)`` for d < 0, ``sum(exp(d/10) - 1)`` for d >= 0."""
    d = np.asarray(predicted, dtype=float) - np.asarray(truth, dtype=float)
    return float(np.sum(np.where(d < 0, np.exp(-d / 13) - 1, np.exp(d / 10) - 1)))


def judge(
    predictions: pd.DataFrame, truth: pd.DataFrame, *, unit_col: str, cap: float | None
) -> dict[str, Any]:
    """RMSE, PHM08 score and interval coverage of ``unit, rul, rul_low, rul_high`` against
    ``unit, rul``; with ``cap``, the true life is capped as the target was (both are reported)."""
    joined = predictions.merge(truth, on=unit_col, suffixes=("", "_true"), how="inner")
    if len(joined) == 0:
        raise ValueError(f"no {unit_col} in common between the predictions and the truth")
    true = joined["rul_true"].to_numpy(dtype=float)
    capped = np.minimum(true, cap) if cap is not None else true
    predicted = joined["rul"].to_numpy(dtype=float)
    low, high = joined["rul_low"].to_numpy(dtype=float), joined["rul_high"].to_numpy(dtype=float)
    return {
        "units": len(joined),
        "cap": cap,
        "rmse": float(np.sqrt(np.mean((predicted - capped) ** 2))),
        "score": phm08_score(predicted, capped),
        "coverage": float(np.mean((low <= capped) & (capped <= high))),
        "rmse_uncapped": float(np.sqrt(np.mean((predicted - true) ** 2))),
        "coverage_uncapped": float(np.mean((low <= true) & (true <= high))),
        "mean_width": float(np.mean(high - low)),
    }


def cut_units(
    history: pd.DataFrame,
    *,
    unit_col: str,
    time_col: str,
    seed: int,
    cuts: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(partial histories, truth): each unit cut ``cuts`` times at a random row, as the C-MAPSS
    test units are (true remaining life uniform in 5..150 rows, at least 31 rows kept). Each cut
    is a unit of its own, named ``<unit>`` (one cut) or ``<unit>#<i>``."""
    rng = np.random.default_rng(seed)
    parts, truth = [], []
    for unit, rows in history.sort_values([unit_col, time_col]).groupby(unit_col, sort=True):
        life = len(rows)
        high = min(CUT_RUL[1], life - MIN_ROWS)
        if high < CUT_RUL[0]:
            continue
        for i in range(cuts):
            remaining = int(rng.integers(CUT_RUL[0], high + 1))
            name = unit if cuts == 1 else f"{unit}#{i}"
            parts.append(rows.iloc[: life - remaining].assign(**{unit_col: name}))
            truth.append((name, remaining))
    return (
        pd.concat(parts, ignore_index=True),
        pd.DataFrame(truth, columns=[unit_col, "rul"]),
    )


def split_units(units: np.ndarray, *, folds: int, seed: int) -> list[np.ndarray]:
    """The units in ``folds`` disjoint groups, shuffled by ``seed``."""
    shuffled = np.random.default_rng(seed).permutation(units)
    return [shuffled[k::folds] for k in range(folds)]
