"""CV+ prediction intervals (Barber, Candès, Ramdas, Tibshirani 2021, "Predictive inference with
the jackknife+"), with signed residuals and by bin of the predicted value.

K models are fitted, each without one fold of units. Every training row keeps the residual
``truth - prediction`` of the model that did not see its unit. For a new row, fold model k's
prediction plus each of fold k's residuals makes a cloud of plausible truths; the interval is
that cloud's alpha/2 and 1 - alpha/2 quantiles, pooled over folds. Signed residuals let the
interval be lopsided (a life capped at 125 cycles cannot be exceeded; wear surprises are late
more often than early), and binning by the predicted value (a Mondrian split) gives each range
of predictions its own spread: a unit predicted near the end of its life is judged by the errors
of other units near the end of theirs, not by the larger errors at mid-life.

Folds are units, never rows: rows of one unit are strongly alike, so residuals on rows of units
a model has seen would be too small and the intervals too narrow.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> cal = Calibration.from_residuals(
...     fold=rng.integers(0, 2, 4000), predicted=rng.uniform(0, 100, 4000),
...     residual=rng.normal(0, 5, 4000), edges=[50.0])
>>> low, high = cal.interval(np.array([[20.0, 22.0]]), alpha=0.1)
>>> bool(10 < low[0] < 15 and 28 < high[0] < 33)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Calibration:
    """Out-of-fold residuals, grouped by fold and by bin of their own predicted value."""

    edges: np.ndarray  # inner bin edges of the predicted value, increasing
    fold: np.ndarray  # fold of each residual's unit
    bin: np.ndarray
    residual: np.ndarray

    @classmethod
    def from_residuals(
        cls,
        *,
        fold: np.ndarray,
        predicted: np.ndarray,
        residual: np.ndarray,
        edges: list[float] | np.ndarray,
    ) -> Calibration:
        edges = np.asarray(edges, dtype=float)
        return cls(
            edges=edges,
            fold=np.asarray(fold, dtype=int),
            bin=np.searchsorted(edges, predicted, side="right"),
            residual=np.asarray(residual, dtype=float),
        )

    def interval(self, predictions: np.ndarray, *, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) for rows of ``predictions`` (n, K): each fold model's prediction."""
        n, folds = predictions.shape
        centre = predictions.mean(axis=1)
        row_bin = np.searchsorted(self.edges, centre, side="right")
        low, high = np.empty(n), np.empty(n)
        for b in np.unique(row_bin):
            rows = np.flatnonzero(row_bin == b)
            chosen = self.bin == b
            # A bin without residuals (predictions outside the training range) uses them all.
            pool = chosen if chosen.any() else np.ones_like(chosen)
            clouds = [
                predictions[rows, k][:, None] + self.residual[pool & (self.fold == k)][None, :]
                for k in range(folds)
            ]
            cloud = np.concatenate(clouds, axis=1)
            # The finite-sample (1 - alpha)(1 + 1/m) quantile of split conformal, each side.
            m = cloud.shape[1]
            q = min(1.0, (1 - alpha / 2) * (1 + 1 / m))
            low[rows] = np.quantile(cloud, 1 - q, axis=1, method="lower")
            high[rows] = np.quantile(cloud, q, axis=1, method="higher")
        return low, high

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "edges": self.edges,
            "fold": self.fold,
            "bin": self.bin,
            "residual": self.residual,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Calibration:
        return cls(
            edges=arrays["edges"],
            fold=arrays["fold"],
            bin=arrays["bin"],
            residual=arrays["residual"],
        )
