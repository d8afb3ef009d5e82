"""The telemetry store interface that every adapter (InfluxDB v1, InfluxDB 2.x, SQLite) implements.

A store is durable on return: when ``write`` returns, the points survive a crash of this process.
That is what lets the collector acknowledge an MQTT message after the write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

import pandas as pd

from ingest.points import Point


class StoreError(Exception):
    """The store refused or failed an operation."""


class StoreUnavailable(StoreError):
    """Retriable: the store cannot be reached or is overloaded. Spool and try again later."""


class StoreRejected(StoreError):
    """Not retriable: the store refused these points (bad data). Quarantine them."""


@runtime_checkable
class TelemetryStore(Protocol):
    def write(self, points: Sequence[Point]) -> None:
        """Store points durably. Raises StoreUnavailable (retry later) or StoreRejected."""

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
        """Points in [start, end) as a frame, sorted by asset then time.

        Columns: ``time`` (datetime64[ms, UTC]), one column per tag (``site``, ``asset``,
        ``asset_type``, ...), one float column per field. ``every`` aggregates to the mean per
        asset and interval (the time column is then the interval start); ``where`` filters on
        tag equality. An empty result has the ``time`` and tag columns and no rows.
        """
        ...

    def count(
        self,
        *,
        measurement: str,
        field: str,
        start: datetime | None = None,
        end: datetime | None = None,
        assets: Sequence[str] | None = None,
    ) -> int:
        """How many stored points carry ``field``."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot be reached."""

    def close(self) -> None: ...


class ReadsFrom:
    """For a store that changes only how points are written: ``query``, ``count`` and ``ping``
    go to ``reads`` as they are (a store whose writes are timed; InfluxDB 2.x, read through its
    v1-compatible API)."""

    def __init__(self, reads: TelemetryStore) -> None:
        self.reads = reads

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
        return self.reads.query(
            measurement=measurement,
            start=start,
            end=end,
            assets=assets,
            fields=fields,
            where=where,
            every=every,
        )

    def count(
        self,
        *,
        measurement: str,
        field: str,
        start: datetime | None = None,
        end: datetime | None = None,
        assets: Sequence[str] | None = None,
    ) -> int:
        return self.reads.count(
            measurement=measurement, field=field, start=start, end=end, assets=assets
        )

    def ping(self) -> None:
        self.reads.ping()
