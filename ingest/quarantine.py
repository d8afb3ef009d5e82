"""Quarantine: every message that breaks the gateway contract is kept here with its reason.

A SQLite file in the data directory, shared by the collector (writes) and the API and CLI (reads).
Writes are durable before the collector acknowledges the MQTT message.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Whole payloads up to this size are kept, so a fixed gateway's data can be replayed; larger
# payloads (already over the limit, or huge batches) keep their first bytes only.
KEEP_BYTES = 64 * 1024
HEAD_BYTES = 4 * 1024


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    received_ms: int
    reason: str
    detail: str
    topic: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class QuarantinedMessage:
    id: int
    received_at: datetime
    reason: str
    detail: str
    topic: str
    payload_head: bytes
    payload_size: int
    payload_complete: bool


_SCHEMA = """
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    payload_size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_reason ON quarantine (reason, id);
"""


class Quarantine:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def add_many(self, entries: Sequence[QuarantineEntry]) -> None:
        if not entries:
            return
        rows = [
            (
                e.received_ms,
                e.reason,
                e.detail[:1000],
                e.topic[:1000],
                e.payload if len(e.payload) <= KEEP_BYTES else e.payload[:HEAD_BYTES],
                len(e.payload),
            )
            for e in entries
        ]
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO quarantine (received_ms, reason, detail, topic, payload, payload_size)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def list(
        self, *, limit: int = 100, reason: str | None = None, before_id: int | None = None
    ) -> list[QuarantinedMessage]:
        """Newest first; page with ``before_id`` (the smallest id of the previous page)."""
        sql = "SELECT id, received_ms, reason, detail, topic, payload, payload_size FROM quarantine"
        clauses: list[str] = []
        params: list[object] = []
        if reason is not None:
            clauses.append("reason = ?")
            params.append(reason)
        if before_id is not None:
            clauses.append("id < ?")
            params.append(before_id)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*params, limit)).fetchall()
        return [
            QuarantinedMessage(
                id=row[0],
                received_at=datetime.fromtimestamp(row[1] / 1000, UTC),
                reason=row[2],
                detail=row[3],
                topic=row[4],
                payload_head=bytes(row[5]),
                payload_size=row[6],
                payload_complete=len(row[5]) == row[6],
            )
            for row in rows
        ]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT reason, COUNT(*) FROM quarantine GROUP BY reason ORDER BY reason"
            ).fetchall()
        return dict(rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()
