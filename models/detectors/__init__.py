"""The registered detectors, and how any of them is saved and loaded without executing code.

A detector's state is a dict of numpy arrays plus a JSON-able dict of parameters; ``save_state``
and ``load_state`` go through ``numpy.savez`` / ``numpy.load(allow_pickle=False)``.
"""

from __future__ import annotations

import io
import json
from typing import Any, Protocol

import numpy as np
import pandas as pd

from models.base import Detector
from models.detectors.iforest import IsolationForestDetector
from models.detectors.pca import PcaT2Q
from models.detectors.robust import RobustBaseline
from models.detectors.trend import DegradationTrend


class SavableDetector(Detector, Protocol):
    def fit(self, features: pd.DataFrame) -> SavableDetector: ...

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]: ...


DETECTORS: dict[str, Any] = {
    RobustBaseline.name: RobustBaseline,
    PcaT2Q.name: PcaT2Q,
    IsolationForestDetector.name: IsolationForestDetector,
    DegradationTrend.name: DegradationTrend,
}


def create(name: str, **params: Any) -> SavableDetector:
    if name not in DETECTORS:
        raise ValueError(f"unknown detector {name!r}; known: {', '.join(sorted(DETECTORS))}")
    detector: SavableDetector = DETECTORS[name](**params)
    return detector


def dump(detector: SavableDetector) -> bytes:
    """The detector as the bytes of one .npz (arrays plus a JSON ``__meta__`` entry)."""
    arrays, meta = detector.to_arrays()
    payload = {f"a_{k}": np.asarray(v) for k, v in arrays.items()}
    payload["__meta__"] = np.frombuffer(
        json.dumps({"name": detector.name, "meta": meta}).encode(), dtype=np.uint8
    )
    buffer = io.BytesIO()
    np.savez(buffer, **payload)  # type: ignore[arg-type]  # numpy's stub wants keyword arrays
    return buffer.getvalue()


def load(data: bytes) -> SavableDetector:
    """Inverse of ``dump``; never unpickles (``allow_pickle=False``)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        header = json.loads(npz["__meta__"].tobytes())
        arrays = {k[2:]: npz[k] for k in npz.files if k.startswith("a_")}
    cls = DETECTORS.get(header["name"])
    if cls is None:
        raise ValueError(f"unknown detector {header['name']!r} in artifact")
    detector: SavableDetector = cls.from_arrays(arrays, header["meta"])
    return detector
