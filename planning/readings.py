"""What the plans read from the telemetry store: the running-hours counter and watched values.

Both return ``(time, value)`` pairs in time order for one asset over ``[start, end)``. The
counter is the ``operating_hours`` metric of the gateway contract (``ingest.metrics``); the
health score is the anomaly score over its threshold, the worst detector's at each time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from ingest.points import ANOMALY_SCORE, TELEMETRY
from ingest.store.base import TelemetryStore
from planning.models import SCORE_RATIO

COUNTER = "operating_hours"
# Assets per store query.
_BATCH = 500

Readings = list[tuple[datetime, float]]
# (assets as (site, asset), metric, start, end) -> {(site, asset): [(time, value), ...]}; the
# wiring builds one over the telemetry store. A plan reads all its assets at once.
ReadingSource = Callable[
    [Sequence[tuple[str, str]], str, datetime, datetime], dict[tuple[str, str], Readings]
]


def _pairs(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], Readings]:
    out: dict[tuple[str, str], Readings] = {}
    if frame.empty or column not in frame:
        return out
    frame = frame.dropna(subset=[column]).sort_values(["site", "asset", "time"])
    times = pd.to_datetime(frame["time"], utc=True)
    values = frame[column].to_numpy(dtype=float)
    for site, asset, t, v in zip(frame["site"], frame["asset"], times, values, strict=True):
        out.setdefault((str(site), str(asset)), []).append((t.to_pydatetime(), float(v)))
    return out


def _frame(
    store: TelemetryStore, names: list[str], metric: str, start: datetime, end: datetime
) -> tuple[pd.DataFrame, str]:
    if metric == SCORE_RATIO:
        frame = store.query(
            measurement=ANOMALY_SCORE,
            start=start,
            end=end,
            assets=names,
            fields=["score", "threshold"],
        )
        if frame.empty or "score" not in frame or "threshold" not in frame:
            return pd.DataFrame(), SCORE_RATIO
        limits = frame["threshold"].to_numpy(dtype=float)
        ratio = frame["score"].to_numpy(dtype=float) / np.where(limits > 0, limits, np.nan)
        ratios = pd.DataFrame(
            {
                "site": frame["site"],
                "asset": frame["asset"],
                "time": frame["time"],
                SCORE_RATIO: ratio,
            }
        )
        # The worst detector's at each time.
        worst = ratios.groupby(["site", "asset", "time"], as_index=False).agg({SCORE_RATIO: "max"})
        return worst, SCORE_RATIO
    frame = store.query(measurement=TELEMETRY, start=start, end=end, assets=names, fields=[metric])
    return frame, metric


def store_readings(store: TelemetryStore) -> ReadingSource:
    """Readings of a telemetry metric, or of ``score_ratio`` from the scorer's stored scores."""

    def read(
        assets: Sequence[tuple[str, str]], metric: str, start: datetime, end: datetime
    ) -> dict[tuple[str, str], Readings]:
        wanted = set(assets)
        names = sorted({asset for _, asset in wanted})
        out: dict[tuple[str, str], Readings] = {}
        for at in range(0, len(names), _BATCH):
            frame, column = _frame(store, names[at : at + _BATCH], metric, start, end)
            for key, pairs in _pairs(frame, column).items():
                if key in wanted:  # the same asset name at another site is another asset
                    out[key] = pairs
        return out

    return read
