"""Telemetry stores behind one interface: InfluxDB v1 API (primary), InfluxDB 2.x, SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ingest.store.base import StoreError, StoreRejected, StoreUnavailable, TelemetryStore

__all__ = [
    "StoreError",
    "StoreRejected",
    "StoreUnavailable",
    "TelemetryStore",
    "open_store",
]


def open_store(
    kind: Literal["sqlite", "influxdb", "influxdb2"],
    *,
    sqlite_path: Path | None = None,
    url: str | None = None,
    database: str = "vigil",
    username: str | None = None,
    password: str | None = None,
    token: str | None = None,
    org: str | None = None,
    bucket: str | None = None,
    timeout: float = 10.0,
) -> TelemetryStore:
    if kind == "sqlite":
        from ingest.store.sqlite import SqliteStore

        if sqlite_path is None:
            raise ValueError("the sqlite store needs a path")
        return SqliteStore(sqlite_path)
    if url is None:
        raise ValueError(f"the {kind} store needs a URL")
    if kind == "influxdb":
        from ingest.store.influx_v1 import InfluxV1Store

        return InfluxV1Store(
            url, database, username=username, password=password, token=token, timeout=timeout
        )
    from ingest.store.influx_v2 import InfluxV2Store

    if not (token and org and bucket):
        raise ValueError("the influxdb2 store needs a token, an org and a bucket")
    return InfluxV2Store(url, token=token, org=org, bucket=bucket, timeout=timeout)
