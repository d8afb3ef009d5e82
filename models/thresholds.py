"""Thresholds (calibrated on healthy data to a target false-alarm rate) and decision rules.

Scoring and deciding are separate: a detector only scores; a ``Threshold`` says what score is an
alarm, and ``Persistence`` asks for several windows in a row so that one noisy window does not
send an engineer out.

>>> import numpy as np
>>> healthy = np.random.default_rng(4).normal(size=10_000)
>>> t = Threshold.calibrate(healthy, target_far=0.01)
>>> round(t.value, 2), round(float((healthy > t.value).mean()), 3)
(2.29, 0.01)
>>> Persistence(windows=2).apply(np.array([True, False, True, True, True])).tolist()
[False, False, False, True, True]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.features import fault_code_for, metric_of


@dataclass(frozen=True, slots=True)
class Threshold:
    value: float
    target_far: float
    margin: float = 1.0

    @classmethod
    def calibrate(
        cls, healthy_scores: np.ndarray | pd.Series, *, target_far: float, margin: float = 1.0
    ) -> Threshold:
        """The (1 - target_far) quantile of healthy scores, times ``margin`` (>= 1 leaves room
        for healthy behaviour the training data did not show)."""
        if not 0 < target_far < 1:
            raise ValueError(f"target_far must be in (0, 1), got {target_far}")
        values = np.asarray(healthy_scores, dtype=float)
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise ValueError("cannot calibrate a threshold on no healthy scores")
        return cls(float(np.quantile(values, 1 - target_far)) * margin, target_far, margin)

    def exceeded(self, scores: np.ndarray | pd.Series) -> np.ndarray:
        return np.asarray(scores, dtype=float) > self.value

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "target_far": self.target_far, "margin": self.margin}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Threshold:
        return cls(float(data["value"]), float(data["target_far"]), float(data["margin"]))


@dataclass(frozen=True, slots=True)
class Persistence:
    """An alarm only after ``windows`` consecutive windows over the threshold."""

    windows: int = 1

    def apply(self, exceeded: np.ndarray) -> np.ndarray:
        """Over one series in time order."""
        run = self.runs(exceeded)
        return run >= self.windows

    @staticmethod
    def runs(exceeded: np.ndarray) -> np.ndarray:
        """Length of the current run of True values at each position."""
        flags = np.asarray(exceeded, dtype=bool)
        counts = np.cumsum(flags)
        resets = np.maximum.accumulate(np.where(~flags, counts, 0))
        return counts - resets


def top_contributions(explained: pd.DataFrame, *, top: int = 3) -> list[dict[str, float]]:
    """Per row, the ``top`` metrics by share (a metric's features summed), largest first.

    One matrix product for all rows, not a loop over them.

    >>> shares = pd.DataFrame({"vibration_rms:level": [0.5], "vibration_rms:peak": [0.2],
    ...                        "temperature:level": [0.3]})
    >>> top_contributions(shares)
    [{'vibration_rms': 0.7, 'temperature': 0.3}]
    """
    if explained.empty:
        return [{} for _ in range(len(explained))]
    metrics = list(dict.fromkeys(metric_of(str(c)) for c in explained.columns))
    position = {m: i for i, m in enumerate(metrics)}
    indicator = np.zeros((explained.shape[1], len(metrics)))
    for j, column in enumerate(explained.columns):
        indicator[j, position[metric_of(str(column))]] = 1.0
    values = np.clip(np.nan_to_num(explained.to_numpy(dtype=float)), 0.0, None) @ indicator
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    names = np.array(metrics, dtype=object)
    out: list[dict[str, float]] = []
    for row, picks in zip(values, order, strict=True):
        out.append({names[k]: round(float(row[k]), 4) for k in picks if row[k] > 0})
    return out


def fault_code(contributions: Mapping[str, float]) -> str:
    """The fault code the contributing metrics suggest: the code with the largest total share."""
    totals: dict[str, float] = {}
    for metric, share in contributions.items():
        code = fault_code_for(metric)
        totals[code] = totals.get(code, 0.0) + share
    if not totals:
        return "anomaly"
    return max(totals.items(), key=lambda item: item[1])[0]
