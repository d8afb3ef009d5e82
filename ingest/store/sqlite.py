"""The embedded telemetry store: one SQLite file, for the demo and small single-machine setups.

Narrow layout (one row per series, timestamp and field) so that writing a point again merges its
fields and never doubles it, the same key semantics as InfluxDB.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from ingest.points import Point
from ingest.store.base import StoreRejected, StoreUnavailable
from ingest.store.frames import BASE_TAGS, empty_frame, finish_frame

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    measurement TEXT NOT NULL,
    tags TEXT NOT NULL,
    asset TEXT NOT NULL,
    UNIQUE (measurement, tags)
);
CREATE INDEX IF NOT EXISTS series_asset ON series (measurement, asset);
CREATE TABLE IF NOT EXISTS samples (
    series_id INTEGER NOT NULL,
    ts_ms INTEGER NOT NULL,
    field TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series_id, ts_ms, field)
) WITHOUT ROWID;
"""


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class SqliteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk when write() returns, which is what the MQTT ack relies on.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._series: dict[tuple[str, str], int] = {}

    def _series_id(self, point: Point) -> int:
        tags = json.dumps(point.tags, sort_keys=True, separators=(",", ":"))
        key = (point.measurement, tags)
        found = self._series.get(key)
        if found is None:
            self._db.execute(
                "INSERT OR IGNORE INTO series (measurement, tags, asset) VALUES (?, ?, ?)",
                (point.measurement, tags, point.tags.get("asset", "")),
            )
            row = self._db.execute(
                "SELECT id FROM series WHERE measurement = ? AND tags = ?", key
            ).fetchone()
            found = self._series[key] = int(row[0])
        return found

    def write(self, points: Sequence[Point]) -> None:
        try:
            with self._lock, self._db:
                rows = [
                    (self._series_id(point), point.ts_ms, name, value)
                    for point in points
                    for name, value in point.fields.items()
                ]
                self._db.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?)", rows)
        except sqlite3.OperationalError as error:  # locked, disk full, I/O error: retriable
            self._series.clear()
            raise StoreUnavailable(f"sqlite store {self.path}: {error}") from error
        except sqlite3.DatabaseError as error:
            self._series.clear()
            raise StoreRejected(f"sqlite store {self.path}: {error}") from error

    def _matching_series(
        self, measurement: str, assets: Sequence[str] | None, where: dict[str, str] | None
    ) -> dict[int, dict[str, str]]:
        sql, params = "SELECT id, tags FROM series WHERE measurement = ?", [measurement]
        if assets is not None:
            sql += f" AND asset IN ({','.join('?' * len(assets))})"
            params.extend(assets)
        found = {}
        for series_id, tags_json in self._db.execute(sql, params):
            tags = json.loads(tags_json)
            if where and any(tags.get(k) != v for k, v in where.items()):
                continue
            found[int(series_id)] = tags
        return found

    def query(
        self,
        *,
        measurement: str,
        start: datetime,
        end: datetime,
        assets: Sequence[str] | None = None,
        fields: Sequence[str] | None = None,
        where: dict[str, str] | None = None,
        every: timedelta | None = None,
    ) -> pd.DataFrame:
        with self._lock:
            series = self._matching_series(measurement, assets, where)
            if not series:
                return empty_frame()
            bucket = int(every.total_seconds() * 1000) if every else 0
            time_sql = f"(ts_ms / {bucket}) * {bucket}" if bucket else "ts_ms"
            value_sql = "AVG(value)" if bucket else "value"
            sql = (
                f"SELECT series_id, {time_sql} AS t, field, {value_sql} FROM samples"
                f" WHERE series_id IN ({','.join('?' * len(series))}) AND ts_ms >= ? AND ts_ms < ?"
            )
            params: list[object] = [*series, _ms(start), _ms(end)]
            if fields is not None:
                sql += f" AND field IN ({','.join('?' * len(fields))})"
                params.extend(fields)
            if bucket:
                sql += " GROUP BY series_id, t, field"
            rows = self._db.execute(sql, params).fetchall()
        if not rows:
            return empty_frame()
        long = pd.DataFrame(rows, columns=["series_id", "time", "field", "value"])
        wide = long.pivot_table(
            index=["series_id", "time"], columns="field", values="value", aggfunc="last"
        )
        wide.columns.name = None
        wide = wide.reset_index()
        tags = pd.DataFrame.from_dict(series, orient="index")
        for tag in BASE_TAGS:
            if tag not in tags.columns:
                tags[tag] = None
        frame = wide.merge(tags, left_on="series_id", right_index=True).drop(columns="series_id")
        tag_cols = list(tags.columns)
        field_cols = [c for c in frame.columns if c not in ("time", *tag_cols)]
        return finish_frame(frame[["time", *tag_cols, *field_cols]])

    def count(
        self,
        *,
        measurement: str,
        field: str,
        start: datetime | None = None,
        end: datetime | None = None,
        assets: Sequence[str] | None = None,
    ) -> int:
        with self._lock:
            series = self._matching_series(measurement, assets, None)
            if not series:
                return 0
            sql = (
                f"SELECT COUNT(*) FROM samples WHERE series_id IN ({','.join('?' * len(series))})"
                " AND field = ?"
            )
            params: list[object] = [*series, field]
            if start is not None:
                sql += " AND ts_ms >= ?"
                params.append(_ms(start))
            if end is not None:
                sql += " AND ts_ms < ?"
                params.append(_ms(end))
            return int(self._db.execute(sql, params).fetchone()[0])

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1").fetchone()
        except sqlite3.Error as error:
            raise StoreUnavailable(f"sqlite store {self.path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
