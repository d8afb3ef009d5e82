"""Who is online: the gateway_status points (status-topic Last Will, Sparkplug BIRTH and DEATH)
read back from the store, as each asset's current state and since when it holds.

The collector stores a point per change (``ingest.status``); readers keep a tracker and feed it
the points written since their last read, in time order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from ingest.status import GATEWAY_STATUS
from ingest.store.base import TelemetryStore

# Points are stamped with their receive time by the collector, which stores them within its
# batch interval: reading back this far before the last read catches those written late.
OVERLAP = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Presence:
    site: str
    asset: str
    online: bool
    # When the current state began (the first point of it after a point of the other state).
    since: datetime
    # The newest status point seen.
    seen: datetime


class PresenceTracker:
    def __init__(self, store: TelemetryStore, *, first_lookback: timedelta) -> None:
        self._store = store
        self._first_lookback = first_lookback
        self._state: dict[str, Presence] = {}
        self._read_until: datetime | None = None
        self._lock = threading.Lock()

    def refresh(self, now: datetime) -> list[Presence]:
        """Read the points since the last refresh; returns the assets whose state changed."""
        start = (
            now - self._first_lookback if self._read_until is None else self._read_until - OVERLAP
        )
        frame = self._store.query(
            measurement=GATEWAY_STATUS, start=start, end=now + timedelta(seconds=1)
        )
        with self._lock:
            before = dict(self._state)
            self._merge(frame)
            self._read_until = now
            return [
                p
                for asset, p in self._state.items()
                if (old := before.get(asset)) is None
                or (old.online, old.since) != (p.online, p.since)
            ]

    def _merge(self, frame: pd.DataFrame) -> None:
        if frame.empty or "online" not in frame.columns:
            return
        frame = frame.sort_values("time", kind="stable")
        for site, asset, at, online in zip(
            frame["site"], frame["asset"], frame["time"], frame["online"], strict=True
        ):
            when: datetime = pd.Timestamp(at).to_pydatetime()
            is_online = bool(online >= 0.5)
            old = self._state.get(str(asset))
            if old is not None and when <= old.seen:
                continue  # read again through the overlap
            since = old.since if old is not None and old.online == is_online else when
            self._state[str(asset)] = Presence(str(site), str(asset), is_online, since, when)

    def get(self, asset: str) -> Presence | None:
        with self._lock:
            return self._state.get(asset)

    def all(self) -> list[Presence]:
        with self._lock:
            return list(self._state.values())
