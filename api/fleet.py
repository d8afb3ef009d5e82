"""The latest telemetry and anomaly score of every asset, kept in memory for the fleet views.

Listing 1,000 assets must take milliseconds, and asking the store for "the last reading of every
asset" is a scan, so a background task re-reads the recent minutes every few seconds and keeps
the newest 1-minute mean per asset. Assets seen once stay listed (as "no data" when stale).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from ingest.points import ANOMALY_SCORE, TELEMETRY
from ingest.presence import Presence, PresenceTracker
from ingest.store.base import TelemetryStore

_TAGS = ("time", "site", "asset", "asset_type", "detector")
_FIRST_LOOKBACK = timedelta(hours=24)
_STEP = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class AssetSnapshot:
    asset: str
    site: str
    asset_type: str
    last_seen: datetime | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    threshold: float | None = None
    scored_at: datetime | None = None

    @property
    def score_ratio(self) -> float | None:
        """Score over threshold: 1.0 is the alarm line."""
        if self.score is None or not self.threshold:
            return None
        return self.score / self.threshold


def _latest_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.sort_values("time").groupby("asset", sort=False).tail(1)


def _fields(row: dict[Any, Any], columns: list[str]) -> dict[str, float]:
    values = {}
    for column in columns:
        value = row[column]
        if isinstance(value, int | float) and not math.isnan(value):
            values[column] = float(value)
    return values


class FleetIndex:
    def __init__(self, store: TelemetryStore) -> None:
        self._store = store
        self._assets: dict[str, AssetSnapshot] = {}
        self._lock = threading.Lock()
        self._refreshed_at: datetime | None = None
        # Gateway presence, re-read more often than the telemetry: a death shows within seconds.
        self.presence = PresenceTracker(store, first_lookback=_FIRST_LOOKBACK)

    def refresh_presence(self, now: datetime | None = None) -> list[Presence]:
        """Re-read gateway presence; returns the assets whose presence changed."""
        return self.presence.refresh(now or datetime.now(UTC))

    def refresh(self, now: datetime | None = None) -> None:
        """Read the newest telemetry and scores since the last refresh (24 h the first time)."""
        now = now or datetime.now(UTC)
        start = (
            now - _FIRST_LOOKBACK if self._refreshed_at is None else self._refreshed_at - 2 * _STEP
        )
        end = now + _STEP  # the current, still-open minute
        telemetry = self._store.query(measurement=TELEMETRY, start=start, end=end, every=_STEP)
        scores = self._store.query(measurement=ANOMALY_SCORE, start=start, end=end, every=_STEP)
        with self._lock:
            self._merge_telemetry(_latest_rows(telemetry))
            self._merge_scores(_latest_rows(scores))
            self._refreshed_at = now

    def _merge_telemetry(self, rows: pd.DataFrame) -> None:
        metric_columns = [c for c in rows.columns if c not in _TAGS]
        for data in rows.to_dict("records"):
            asset = str(data["asset"])
            seen = pd.Timestamp(data["time"]).to_pydatetime() + _STEP
            old = self._assets.get(asset)
            if old is not None and old.last_seen is not None and old.last_seen > seen:
                continue
            metrics = _fields(data, metric_columns)
            base = old or AssetSnapshot(asset=asset, site="", asset_type="")
            self._assets[asset] = replace(
                base,
                site=str(data.get("site") or base.site),
                asset_type=str(data.get("asset_type") or base.asset_type),
                last_seen=min(seen, datetime.now(UTC)),
                metrics=metrics,
            )

    def _merge_scores(self, rows: pd.DataFrame) -> None:
        for data in rows.to_dict("records"):
            asset = str(data["asset"])
            base = self._assets.get(asset) or AssetSnapshot(
                asset=asset,
                site=str(data.get("site") or ""),
                asset_type=str(data.get("asset_type") or ""),
            )
            score, threshold = data.get("score"), data.get("threshold")
            self._assets[asset] = replace(
                base,
                score=None if score is None or pd.isna(score) else float(score),
                threshold=None if threshold is None or pd.isna(threshold) else float(threshold),
                scored_at=pd.Timestamp(data["time"]).to_pydatetime(),
            )

    def snapshot(self) -> list[AssetSnapshot]:
        with self._lock:
            return list(self._assets.values())

    def get(self, asset: str) -> AssetSnapshot | None:
        with self._lock:
            return self._assets.get(asset)

    @property
    def refreshed_at(self) -> datetime | None:
        return self._refreshed_at
