"""An asset's health over a stretch of time, from the scores the scorer stored for its charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ingest.points import ANOMALY_SCORE
from ingest.store.base import TelemetryStore


@dataclass(frozen=True, slots=True)
class Health:
    """Scored windows of one asset in ``[start, end)`` and how many were at or over threshold."""

    start: datetime
    end: datetime
    windows: int
    abnormal_windows: int
    # The window furthest over its threshold (score / threshold), None without windows.
    worst_at: datetime | None = None
    worst_score: float | None = None
    worst_threshold: float | None = None

    def as_evidence(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "until": self.end.isoformat(),
            "windows": self.windows,
            "abnormal_windows": self.abnormal_windows,
            "worst": None
            if self.worst_at is None
            else {
                "at": self.worst_at.isoformat(),
                "score": self.worst_score,
                "threshold": self.worst_threshold,
            },
        }


# (site, asset, start, end) -> Health; the wiring builds one over the telemetry store.
HealthReader = Callable[[str, str, datetime, datetime], Health]


def store_health(store: TelemetryStore) -> HealthReader:
    """Health read from the ``anomaly_score`` points the scoring job writes (every detector's)."""

    def read(site: str, asset: str, start: datetime, end: datetime) -> Health:
        frame = store.query(
            measurement=ANOMALY_SCORE,
            start=start,
            end=end,
            assets=[asset],
            where={"site": site},
            fields=["score", "threshold"],
        )
        if "score" not in frame or "threshold" not in frame:
            return Health(start, end, 0, 0)
        frame = frame.dropna(subset=["score", "threshold"])
        if frame.empty:
            return Health(start, end, 0, 0)
        scores = frame["score"].to_numpy(dtype=float)
        limits = frame["threshold"].to_numpy(dtype=float)
        worst = int(np.argmax(scores / np.where(limits > 0, limits, np.inf)))
        return Health(
            start=start,
            end=end,
            windows=len(frame),
            abnormal_windows=int((scores >= limits).sum()),
            worst_at=pd.Timestamp(frame["time"].iloc[worst]).to_pydatetime(),
            worst_score=float(scores[worst]),
            worst_threshold=float(limits[worst]),
        )

    return read
