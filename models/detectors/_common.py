"""Small helpers shared by the detectors: column alignment and contribution shares."""

from __future__ import annotations

import numpy as np
import pandas as pd


def aligned(features: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The frame's values in the fitted column order; a missing column is all NaN, an extra one
    is dropped. Callers treat NaN as "no evidence" (neutral)."""
    values: np.ndarray = np.array(features.reindex(columns=columns), dtype=float)
    return values


def shares(contributions: np.ndarray) -> np.ndarray:
    """Rows of non-negative contributions scaled to sum to 1 (all-zero rows stay zero)."""
    positive = np.clip(np.nan_to_num(contributions), 0.0, None)
    total = positive.sum(axis=1, keepdims=True)
    out: np.ndarray = np.divide(positive, total, out=np.zeros_like(positive), where=total > 0)
    return out


def numeric(features: pd.DataFrame) -> pd.DataFrame:
    return features.select_dtypes(include="number")
