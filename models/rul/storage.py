"""Saving a remaining-life model without pickles: JSON for the settings, ``.npz`` (read with
``allow_pickle=False``) for arrays, and each tree ensemble through skops with an explicit list of
trusted types, so loading never executes an arbitrary pickle.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import skops.io as sio

from models.rul.conformal import Calibration
from models.rul.features import RulFeatures
from models.rul.model import RulConfig, RulModel

# Every type a saved HistGradientBoostingRegressor holds beyond skops' own safe defaults.
TRUSTED_TYPES = ["sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"]


class UntrustedRulArtifact(ValueError):
    """A saved ensemble names a type outside the trusted list: refused, not loaded."""


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub wants keyword arrays
    return buffer.getvalue()


def _arrays(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
        return {k: loaded[k] for k in loaded.files}


def to_files(model: RulModel) -> dict[str, bytes]:
    feature_arrays, feature_meta = model.features.to_arrays()
    meta: dict[str, Any] = {
        "config": model.config.to_json(),
        "unit_col": model.unit_col,
        "time_col": model.time_col,
        "columns": model.columns,
        "features": feature_meta,
        "estimators": len(model.estimators),
    }
    files = {
        "rul.json": json.dumps(meta, indent=2, sort_keys=True).encode(),
        "rul_features.npz": _npz(feature_arrays),
        "rul_calibration.npz": _npz(model.calibration.to_arrays()),
    }
    for k, estimator in enumerate(model.estimators):
        files[f"rul_trees_{k}.skops"] = sio.dumps(estimator)
    return files


def from_files(files: dict[str, bytes]) -> RulModel:
    meta = json.loads(files["rul.json"])
    estimators = []
    for k in range(int(meta["estimators"])):
        blob = files[f"rul_trees_{k}.skops"]
        untrusted = set(sio.get_untrusted_types(data=blob)) - set(TRUSTED_TYPES)
        if untrusted:
            raise UntrustedRulArtifact(f"refusing to load types {sorted(untrusted)}")
        estimators.append(sio.loads(blob, trusted=TRUSTED_TYPES))
    return RulModel(
        config=RulConfig(**meta["config"]),
        unit_col=meta["unit_col"],
        time_col=meta["time_col"],
        features=RulFeatures.from_arrays(_arrays(files["rul_features.npz"]), meta["features"]),
        columns=list(meta["columns"]),
        estimators=estimators,
        calibration=Calibration.from_arrays(_arrays(files["rul_calibration.npz"])),
    )
