"""What the plans read from the telemetry store: the running-hours counter and watched values.

Both return ``(time, value)`` pairs in time order for one asset over ``[start, end)``. The
counter is the ``operating_hours`` metric of the gateway contract (``ingest.metrics``); the
health score is the anomaly score over its threshold, the worst detector's at each time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd

from ingest.points import ANOMALY_SCORE, TELEMETRY
from ingest.store.base import TelemetryStore
from planning.models import SCORE_RATIO

COUNTER = "operating_hours"

# (site, asset, metric, start, end) -> [(time, value), ...]; the wiring builds one over the store.
Readings = list[tuple[datetime, float]]
ReadingSource = Callable[[str, str, str, datetime, datetime], Readings]


def _pairs(frame: pd.DataFrame, column: str) -> Readings:
    if frame.empty or column not in frame:
        return []
    frame = frame.dropna(subset=[column]).sort_values("time")
    times = pd.to_datetime(frame["time"], utc=True)
    return [
        (t.to_pydatetime(), float(v))
        for t, v in zip(times, frame[column].to_numpy(dtype=float), strict=True)
    ]


def store_readings(store: TelemetryStore) -> ReadingSource:
    """Readings of a telemetry metric, or of ``score_ratio`` from the scorer's stored scores."""

    def read(site: str, asset: str, metric: str, start: datetime, end: datetime) -> Readings:
        if metric == SCORE_RATIO:
            frame = store.query(
                measurement=ANOMALY_SCORE,
                start=start,
                end=end,
                assets=[asset],
                where={"site": site},
                fields=["score", "threshold"],
            )
            if frame.empty or "score" not in frame or "threshold" not in frame:
                return []
            limits = frame["threshold"].to_numpy(dtype=float)
            ratio = frame["score"].to_numpy(dtype=float) / np.where(limits > 0, limits, np.nan)
            ratios = pd.DataFrame({"time": frame["time"], SCORE_RATIO: ratio})
            worst = ratios.groupby("time", as_index=False).agg({SCORE_RATIO: "max"})
            return _pairs(worst, SCORE_RATIO)
        frame = store.query(
            measurement=TELEMETRY,
            start=start,
            end=end,
            assets=[asset],
            where={"site": site},
            fields=[metric],
        )
        return _pairs(frame, metric)

    return read
