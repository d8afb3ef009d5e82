"""PCA with Hotelling's T² (inside the model plane) and Q / SPE (off the plane).

Features are robustly standardised, principal components keep ``variance`` of the healthy
variance; T² catches unusual combinations of normal directions, Q catches a broken correlation
(e.g. current up while flow is flat). Each statistic is divided by its healthy ``quantile``, and
the score is the larger of the two, so 1.0 sits at the healthy quantile.

Contributions: Q splits exactly into squared residuals per feature; T² uses the complete
decomposition ``T² = sum_j z_j (P Λ⁻¹ Pᵀ z)_j``.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> x = rng.normal(size=400)
>>> healthy = pd.DataFrame({"a": x, "b": x + rng.normal(0, 0.1, 400), "c": rng.normal(size=400)})
>>> d = PcaT2Q().fit(healthy)
>>> broken = pd.DataFrame({"a": [0.0, 2.0], "b": [0.0, -2.0], "c": [0.0, 0.0]})
>>> [round(float(s), 1) for s in d.score(broken)]
[0.0, 230.2]
>>> d.explain(broken).iloc[1].round(2).to_dict()
{'a': 0.49, 'b': 0.51, 'c': 0.0}
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.detectors._common import aligned, numeric, shares
from models.features import robust_scale


class PcaT2Q:
    name = "pca"

    def __init__(self, *, variance: float = 0.9, quantile: float = 0.99) -> None:
        self.variance = variance
        self.quantile = quantile
        self.columns: list[str] = []
        self.center = np.zeros(0)
        self.scale = np.ones(0)
        self.components = np.zeros((0, 0))  # (features, kept components)
        self.eigen = np.ones(0)
        self.t2_limit = 1.0
        self.q_limit = 1.0

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        z = (aligned(features, self.columns) - self.center) / self.scale
        # A missing metric is "as usual": z = 0 adds nothing to either statistic.
        return np.nan_to_num(z, nan=0.0, posinf=1e6, neginf=-1e6)

    def fit(self, features: pd.DataFrame) -> PcaT2Q:
        data = numeric(features)
        self.columns = list(data.columns)
        self.center, self.scale = robust_scale(data.to_numpy(dtype=float, na_value=np.nan))
        z = self._z(data)
        n = max(len(z) - 1, 1)
        _, singular, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
        eigen = singular**2 / n
        total = eigen.sum()
        if total <= 0:
            keep = 1
        else:
            keep = int(np.searchsorted(np.cumsum(eigen) / total, self.variance) + 1)
        keep = min(keep, len(eigen))
        self.components = vt[:keep].T
        self.eigen = np.maximum(eigen[:keep], 1e-12)
        t2, q = self._statistics(z)
        self.t2_limit = max(float(np.quantile(t2, self.quantile)), 1e-9)
        self.q_limit = max(float(np.quantile(q, self.quantile)), 1e-9)
        return self

    def _statistics(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = z @ self.components
        t2 = (t**2 / self.eigen).sum(axis=1)
        residual = z - t @ self.components.T
        return t2, (residual**2).sum(axis=1)

    def score(self, features: pd.DataFrame) -> pd.Series:
        if not self.columns:
            return pd.Series(np.zeros(len(features)), index=features.index, name=self.name)
        t2, q = self._statistics(self._z(features))
        values = np.maximum(t2 / self.t2_limit, q / self.q_limit)
        return pd.Series(values, index=features.index, name=self.name)

    def explain(self, features: pd.DataFrame) -> pd.DataFrame:
        if not self.columns:
            return pd.DataFrame(index=features.index)
        z = self._z(features)
        t = z @ self.components
        residual = z - t @ self.components.T
        t2_part = np.abs(z * ((t / self.eigen) @ self.components.T)) / self.t2_limit
        q_part = residual**2 / self.q_limit
        return pd.DataFrame(shares(t2_part + q_part), index=features.index, columns=self.columns)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays = {
            "center": self.center,
            "scale": self.scale,
            "components": self.components,
            "eigen": self.eigen,
            "limits": np.array([self.t2_limit, self.q_limit]),
        }
        meta = {"columns": self.columns, "variance": self.variance, "quantile": self.quantile}
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> PcaT2Q:
        detector = cls(variance=meta["variance"], quantile=meta["quantile"])
        detector.columns = list(meta["columns"])
        detector.center, detector.scale = arrays["center"], arrays["scale"]
        detector.components, detector.eigen = arrays["components"], arrays["eigen"]
        detector.t2_limit, detector.q_limit = (float(v) for v in arrays["limits"])
        return detector
