"""Isolation Forest (scikit-learn) behind the detector protocol.

scikit-learn's ``score_samples`` is *higher for normal* points; this wrapper returns its negation
so that, as for every Vigil detector, a higher score means more anomalous (about 0.35-0.5 for
typical rows, towards 1 for isolated ones). Features are robustly standardised first, and a
missing metric is filled with its healthy median, so it is neutral.

The forest is saved with skops and loaded with an explicit list of trusted types: loading never
executes an arbitrary pickle. Contributions are the share of each feature's |robust z| (the
forest itself has no per-feature decomposition; this is an approximation, and says so).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(2)
>>> healthy = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a", "b"])
>>> d = IsolationForestDetector(seed=0, n_estimators=50).fit(healthy)
>>> s = d.score(pd.DataFrame({"a": [0.0, 8.0], "b": [0.0, 8.0]}))
>>> bool(s.iloc[1] > s.iloc[0] + 0.2)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.ensemble import IsolationForest

from models.detectors._common import aligned, numeric, shares
from models.features import robust_scale

# Every type a saved IsolationForest may contain beyond skops' own safe defaults.
TRUSTED_TYPES = ["sklearn.tree._tree.Tree"]


class UntrustedArtifact(ValueError):
    """A saved forest names a type outside the trusted list: refused, not loaded."""


class IsolationForestDetector:
    name = "iforest"

    def __init__(self, *, seed: int = 0, n_estimators: int = 100) -> None:
        self.seed = seed
        self.n_estimators = n_estimators
        self.columns: list[str] = []
        self.center = np.zeros(0)
        self.scale = np.ones(0)
        self.forest: IsolationForest | None = None

    def _z(self, features: pd.DataFrame) -> np.ndarray:
        z = (aligned(features, self.columns) - self.center) / self.scale
        return np.clip(np.nan_to_num(z, nan=0.0), -1e6, 1e6)

    def fit(self, features: pd.DataFrame) -> IsolationForestDetector:
        data = numeric(features)
        self.columns = list(data.columns)
        self.center, self.scale = robust_scale(data.to_numpy(dtype=float, na_value=np.nan))
        self.forest = IsolationForest(
            n_estimators=self.n_estimators, random_state=self.seed, n_jobs=1
        ).fit(self._z(data))
        return self

    def score(self, features: pd.DataFrame) -> pd.Series:
        if self.forest is None or len(features) == 0:
            return pd.Series(np.zeros(len(features)), index=features.index, name=self.name)
        values = -self.forest.score_samples(self._z(features))
        return pd.Series(values, index=features.index, name=self.name)

    def explain(self, features: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            shares(np.abs(self._z(features))), index=features.index, columns=self.columns
        )

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        blob = sio.dumps(self.forest) if self.forest is not None else b""
        arrays: dict[str, np.ndarray] = {
            "center": self.center,
            "scale": self.scale,
            "forest": np.frombuffer(blob, dtype=np.uint8),
        }
        meta = {"columns": self.columns, "seed": self.seed, "n_estimators": self.n_estimators}
        return arrays, meta

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]
    ) -> IsolationForestDetector:
        detector = cls(seed=meta["seed"], n_estimators=meta["n_estimators"])
        detector.columns = list(meta["columns"])
        detector.center, detector.scale = arrays["center"], arrays["scale"]
        blob = arrays["forest"].tobytes()
        if blob:
            untrusted = set(sio.get_untrusted_types(data=blob)) - set(TRUSTED_TYPES)
            if untrusted:
                raise UntrustedArtifact(f"refusing to load types {sorted(untrusted)}")
            detector.forest = sio.loads(blob, trusted=TRUSTED_TYPES)
        return detector
