"""Robust per-metric baseline: each feature's healthy median and MAD, score = the largest |z|.

The simplest detector that works, and the strongest on SKAB (see bench/README.md): medians and
MADs are barely moved by the few bad rows that slip into healthy data, and the largest |z| points
straight at the metric to blame.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> healthy = pd.DataFrame({"vib": rng.normal(1.0, 0.1, 500), "temp": rng.normal(60, 2, 500)})
>>> d = RobustBaseline().fit(healthy)
>>> scores = d.score(pd.DataFrame({"vib": [1.0, 2.0], "temp": [60.0, 60.0]}))
>>> [round(float(s), 1) for s in scores]
[0.1, 9.8]
>>> d.explain(pd.DataFrame({"vib": [2.0], "temp": [60.0]})).round(2).to_dict("records")
[{'vib': 0.99, 'temp': 0.01}]
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from models.detectors._common import aligned, numeric, shares
from models.features import robust_scale


class RobustBaseline:
    name = "robust"

    def __init__(self, *, aggregate: Literal["max", "rms"] = "max") -> None:
        self.aggregate = aggregate
        self.columns: list[str] = []
        self.median = np.zeros(0)
        self.scale = np.ones(0)

    def fit(self, features: pd.DataFrame) -> RobustBaseline:
        data = numeric(features)
        self.columns = list(data.columns)
        self.median, self.scale = robust_scale(data.to_numpy(dtype=float, na_value=np.nan))
        return self

    def _abs_z(self, features: pd.DataFrame) -> np.ndarray:
        if not self.columns:
            return np.zeros((len(features), 0))
        z = np.abs((aligned(features, self.columns) - self.median) / self.scale)
        return np.nan_to_num(z, nan=0.0, posinf=1e6)

    def score(self, features: pd.DataFrame) -> pd.Series:
        z = self._abs_z(features)
        if z.shape[1] == 0:
            values = np.zeros(len(features))
        elif self.aggregate == "max":
            values = z.max(axis=1)
        else:
            values = np.sqrt((z**2).mean(axis=1))
        return pd.Series(values, index=features.index, name=self.name)

    def explain(self, features: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            shares(self._abs_z(features)), index=features.index, columns=self.columns
        )

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        return (
            {"median": self.median, "scale": self.scale},
            {"columns": self.columns, "aggregate": self.aggregate},
        )

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> RobustBaseline:
        detector = cls(aggregate=meta["aggregate"])
        detector.columns = list(meta["columns"])
        detector.median, detector.scale = arrays["median"], arrays["scale"]
        return detector
