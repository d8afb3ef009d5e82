"""Split-conformal calibration of the degradation trend's lead time, by bin of the predicted lead
(a Mondrian split), with the error in windows as its conformity score.

At the first alarm of faults whose true failure time is known (the simulator's tuning draws;
confirmed failures), the trend predicted a lead (from now to the line's failure time) and the
fault had a true one. On the simulator the line says little about the true lead: faults fail 0.3
to 12 days after their first alarm whatever the line predicts (1 hour or 40 days). A calibration
of the ratio true / predicted (the first one shipped) then stretched a short prediction's
interval to nothing and a long one's to months: 90 % held, at a mean width of 687 days. The error
``true - predicted`` per bin of the prediction keeps the interval as wide as the errors are, and
moves a far-off prediction back to what such predictions turned out to be: the bin's median
error is added to the point estimate too, so the interval always holds it.

Within each bin of n faults the interval's offsets are the floor((n+1)·a/2)-th and the
ceil((n+1)·(1-a/2))-th smallest errors (a = 1 - coverage): with exchangeable faults the interval
holds a new fault's true lead with probability at least ``coverage``. A bin with too few faults
for an end leaves that end open (infinite). Leads are counted in windows, like every time-based
parameter, so the calibration learned at hourly windows reads the same at the demo's 10 s.

>>> cal = LeadCalibration.fit(predicted=[0, 1, 2, 3, 10, 20, 30, 40],
...                           true=[5, 7, 6, 8, 4, 5, 6, 7], coverage=0.5, bins=2)
>>> cal.edges, cal.offsets
((6.5,), ((4.0, 5.0, 6.0), (-33.0, -19.5, -6.0)))
>>> low, mid, high = cal.apply(np.array([2.0, 30.0]))
>>> low.tolist(), mid.tolist(), high.tolist()
([6.0, 0.0], [7.0, 10.5], [8.0, 24.0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class LeadCalibration:
    """Per bin of the predicted lead (inner ``edges``): the (low, middle, high) offsets added to
    the predicted lead. Units are whatever the fit's leads were in (windows in the config, days
    inside ``DegradationTrend``; ``scaled`` converts)."""

    edges: tuple[float, ...]
    offsets: tuple[tuple[float, float, float], ...]
    n: int
    coverage: float

    @classmethod
    def fit(
        cls,
        *,
        predicted: Sequence[float],
        true: Sequence[float],
        coverage: float = 0.9,
        bins: int = 2,
    ) -> LeadCalibration:
        """From pairs of predicted and true lead; the bins hold equal numbers of faults."""
        p, t = np.asarray(predicted, dtype=float), np.asarray(true, dtype=float)
        keep = np.isfinite(p) & np.isfinite(t)
        p, t = np.maximum(p[keep], 0.0), t[keep]
        if not len(p):
            raise ValueError("no fault with a predicted and a true lead to calibrate on")
        inner = np.quantile(p, np.linspace(0, 1, bins + 1)[1:-1]) if bins > 1 else np.zeros(0)
        edges = tuple(float(e) for e in inner)
        which = np.searchsorted(inner, p, side="right")
        offsets = []
        for b in range(len(edges) + 1):
            errors = np.sort(t[which == b] - p[which == b])
            offsets.append(_ends(errors, 1.0 - coverage))
        return cls(edges=edges, offsets=tuple(offsets), n=len(p), coverage=coverage)

    def apply(self, lead: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(low, middle, high) leads for predicted ``lead`` (NaN stays NaN), none below 0."""
        lead = np.asarray(lead, dtype=float)
        which = np.searchsorted(np.asarray(self.edges), np.maximum(lead, 0.0), side="right")
        table = np.asarray(self.offsets, dtype=float)[np.clip(which, 0, len(self.offsets) - 1)]
        base = np.maximum(lead, 0.0)[:, None]
        low, mid, high = np.maximum(base + table, 0.0).T
        return low, mid, high

    def scaled(self, factor: float) -> LeadCalibration:
        """The same calibration in other units (windows to days: ``factor`` = days a window)."""
        return LeadCalibration(
            edges=tuple(e * factor for e in self.edges),
            offsets=tuple((lo * factor, mid * factor, hi * factor) for lo, mid, hi in self.offsets),
            n=self.n,
            coverage=self.coverage,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "edges": list(self.edges),
            "offsets": [list(row) for row in self.offsets],
            "faults": self.n,
            "coverage": self.coverage,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LeadCalibration:
        return cls(
            edges=tuple(float(e) for e in data["edges"]),
            offsets=tuple((float(lo), float(mid), float(hi)) for lo, mid, hi in data["offsets"]),
            n=int(data.get("faults", 0)),
            coverage=float(data.get("coverage", 0.9)),
        )


def _ends(errors: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Conformal low and high ranks of sorted ``errors`` (infinite where too few), and the
    median."""
    n = len(errors)
    if not n:
        return (-math.inf, 0.0, math.inf)
    # (a tolerance: 1 - 0.9 is 0.0999..., and 40 * 0.05 must be rank 2, not 1)
    lo_rank = math.floor((n + 1) * alpha / 2 + 1e-9)
    hi_rank = math.ceil((n + 1) * (1 - alpha / 2) - 1e-9)
    low = float(errors[lo_rank - 1]) if lo_rank >= 1 else -math.inf
    high = float(errors[hi_rank - 1]) if hi_rank <= n else math.inf
    return (low, float(np.median(errors)), high)
