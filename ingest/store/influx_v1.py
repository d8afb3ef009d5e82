"""InfluxDB over its v1 HTTP API: line protocol on ``/write``, InfluxQL on ``/query``.

Every InfluxDB generation speaks this API (1.x natively, 2.x and 3.x through their v1
compatibility endpoints), so this is the primary adapter. Writes use ``precision=ms`` and are
durable on a 204: InfluxDB has appended them to its WAL.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import pandas as pd

from ingest.lineprotocol import format_points
from ingest.points import Point
from ingest.store.base import StoreError, StoreRejected, StoreUnavailable
from ingest.store.frames import empty_frame, finish_frame

# InfluxDB refuses bodies over its max-body-size (25 MB by default); 10,000 points stay far below.
WRITE_CHUNK = 10_000


def _ident(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _asset_condition(assets: Sequence[str]) -> str:
    """One anchored regex over the asset tag: InfluxQL's fastest way to match many values."""
    alternatives = "|".join(re.escape(a) for a in assets).replace("/", r"\/")
    return f'"asset" =~ /^({alternatives})$/'


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class InfluxV1Store:
    def __init__(
        self,
        url: str,
        database: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        retries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.retries = retries
        headers = {"Authorization": f"Token {token}"} if token else {}
        auth = httpx.BasicAuth(username, password or "") if username else None
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout, headers=headers, auth=auth, transport=transport
        )

    # -- plumbing -------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with retries on connection errors and 5xx; 4xx are returned to the caller."""
        delay = 0.2
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 500:
                    return response
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
            if attempt < self.retries:
                time.sleep(delay)
                delay *= 2
        raise StoreUnavailable(f"InfluxDB at {self.url} {method} {path}: {problem}")

    def _influxql(self, statement: str, *, method: str = "GET") -> list[dict[str, Any]]:
        params = {"db": self.database, "q": statement, "epoch": "ms"}
        response = self._request(method, "/query", params=params)
        if response.status_code in (401, 403):
            raise StoreUnavailable(
                f"InfluxDB at {self.url} refused the credentials (set VIGIL_INFLUX_USER and "
                "VIGIL_INFLUX_PASSWORD, or VIGIL_INFLUX_TOKEN)"
            )
        body = response.json() if response.content else {}
        if response.status_code >= 400 or "error" in body:
            raise StoreError(f"InfluxQL {statement[:120]!r}: {body.get('error', response.text)}")
        results: list[dict[str, Any]] = body.get("results", [])
        for result in results:
            if "error" in result:
                if "database not found" in result["error"]:
                    raise StoreError(
                        f"InfluxDB database {self.database!r} does not exist: start the collector "
                        f"once (it creates it) or run CREATE DATABASE {_ident(self.database)}"
                    )
                raise StoreError(f"InfluxQL {statement[:120]!r}: {result['error']}")
        return results

    def ensure_database(self) -> None:
        """Create the database if it is missing (idempotent in InfluxDB 1.x)."""
        self._influxql(f"CREATE DATABASE {_ident(self.database)}", method="POST")

    # -- TelemetryStore -------------------------------------------------------------------------

    def write(self, points: Sequence[Point]) -> None:
        for start in range(0, len(points), WRITE_CHUNK):
            self._write_chunk(format_points(points[start : start + WRITE_CHUNK]))

    def _write_chunk(self, body: str) -> None:
        params = {"db": self.database, "precision": "ms"}
        response = self._request("POST", "/write", params=params, content=body.encode())
        if response.status_code == 404 and "database not found" in response.text:
            self.ensure_database()
            response = self._request("POST", "/write", params=params, content=body.encode())
        if response.status_code == 204:
            return
        if response.status_code in (401, 403):
            raise StoreUnavailable(f"InfluxDB at {self.url} refused the credentials for /write")
        if response.status_code == 400:
            raise StoreRejected(f"InfluxDB refused the points: {response.text[:300]}")
        raise StoreUnavailable(
            f"InfluxDB /write: HTTP {response.status_code} {response.text[:300]}"
        )

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
        if assets is not None and not assets:
            return empty_frame()
        conditions = [f"time >= {_ms(start)}ms", f"time < {_ms(end)}ms"]
        if assets is not None:
            conditions.append(_asset_condition(assets))
        for tag, value in (where or {}).items():
            conditions.append(f"{_ident(tag)} = {_literal(value)}")
        group = "GROUP BY *"
        if every is not None:
            fields = list(fields) if fields is not None else self.field_keys(measurement)
            if not fields:
                return empty_frame()
            selection = ", ".join(f"mean({_ident(f)}) AS {_ident(f)}" for f in fields)
            group = f"GROUP BY time({int(every.total_seconds() * 1000)}ms), * fill(none)"
        elif fields is not None:
            selection = ", ".join(_ident(f) for f in fields)
        else:
            selection = "*"
        statement = f"SELECT {selection} FROM {_ident(measurement)} WHERE {' AND '.join(conditions)} {group}"
        return self._frame(self._influxql(statement))

    @staticmethod
    def _frame(results: list[dict[str, Any]]) -> pd.DataFrame:
        series = [s for result in results for s in result.get("series", [])]
        if not series:
            return empty_frame()
        tag_names = sorted({name for s in series for name in s.get("tags", {})})
        columns = series[0]["columns"]
        rows: list[list[Any]] = []
        for s in series:
            tags = s.get("tags", {})
            tag_values = [tags.get(name) for name in tag_names]
            if s["columns"] == columns:
                rows.extend([*row, *tag_values] for row in s["values"])
            else:  # a series with other fields: align by name
                index = {c: i for i, c in enumerate(s["columns"])}
                rows.extend(
                    [*(row[index[c]] if c in index else None for c in columns), *tag_values]
                    for row in s["values"]
                )
        frame = pd.DataFrame(rows, columns=[*columns, *tag_names])
        fields = [c for c in columns if c != "time"]
        frame[fields] = frame[fields].astype("float64")
        return finish_frame(frame)

    def field_keys(self, measurement: str) -> list[str]:
        results = self._influxql(f"SHOW FIELD KEYS FROM {_ident(measurement)}")
        return [row[0] for r in results for s in r.get("series", []) for row in s["values"]]

    def count(
        self,
        *,
        measurement: str,
        field: str,
        start: datetime | None = None,
        end: datetime | None = None,
        assets: Sequence[str] | None = None,
    ) -> int:
        conditions = []
        if start is not None:
            conditions.append(f"time >= {_ms(start)}ms")
        if end is not None:
            conditions.append(f"time < {_ms(end)}ms")
        if assets is not None:
            conditions.append(_asset_condition(assets))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        results = self._influxql(f"SELECT count({_ident(field)}) FROM {_ident(measurement)}{where}")
        return sum(int(row[1]) for r in results for s in r.get("series", []) for row in s["values"])

    def ping(self) -> None:
        try:
            response = self._http.get("/ping", timeout=3)
        except httpx.HTTPError as error:
            raise StoreUnavailable(f"InfluxDB at {self.url} is not reachable: {error}") from error
        if response.status_code != 204:
            raise StoreUnavailable(f"InfluxDB at {self.url} /ping: HTTP {response.status_code}")

    def close(self) -> None:
        self._http.close()
