"""Units and Sparkplug types of the metrics each asset's BIRTH declared, kept beside the readings,
and which devices each edge node has had.

Telemetry points hold float fields only, so what a BIRTH says about a metric (its Sparkplug
name, datatype and engineering unit) is kept here: a SQLite file in the data directory, written
by the collector at each BIRTH (rare) and read by the API.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ingest.sparkplug.session import CatalogEntry

CATALOG_FILE = "sparkplug.db"  # in the data directory

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sparkplug_metrics (
    site TEXT NOT NULL,
    asset TEXT NOT NULL,
    metric TEXT NOT NULL,
    sparkplug_name TEXT NOT NULL,
    datatype TEXT NOT NULL,
    unit TEXT,
    birth_ms INTEGER NOT NULL,
    PRIMARY KEY (asset, metric)
);
CREATE TABLE IF NOT EXISTS sparkplug_devices (
    grp TEXT NOT NULL,
    node TEXT NOT NULL,
    site TEXT NOT NULL,
    asset TEXT NOT NULL,
    PRIMARY KEY (grp, node, asset)
);
"""


class MetricCatalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def record(self, entries: Sequence[CatalogEntry]) -> None:
        now = int(time.time() * 1000)
        rows = [
            (e.site, e.asset, e.metric, e.sparkplug_name, e.datatype, e.unit, now) for e in entries
        ]
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO sparkplug_metrics"
                " (site, asset, metric, sparkplug_name, datatype, unit, birth_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def record_device(self, group: str, node: str, site: str, asset: str) -> None:
        """A device born behind this edge node: an NDEATH takes it offline even when the
        collector restarted since (and so has no session of the node)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO sparkplug_devices (grp, node, site, asset) VALUES (?, ?, ?, ?)",
                (group, node, site, asset),
            )

    def devices_of(self, group: str, node: str) -> list[tuple[str, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT site, asset FROM sparkplug_devices WHERE grp = ? AND node = ? ORDER BY asset",
                (group, node),
            ).fetchall()
        return [(str(site), str(asset)) for site, asset in rows]

    def for_asset(self, asset: str) -> list[CatalogEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT site, asset, metric, sparkplug_name, datatype, unit FROM sparkplug_metrics"
                " WHERE asset = ? ORDER BY metric",
                (asset,),
            ).fetchall()
        return [CatalogEntry(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
