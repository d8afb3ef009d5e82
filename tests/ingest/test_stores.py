"""Every store adapter keeps the same contract: write, overwrite on the same key, query, count."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ingest.points import Point, Reading
from ingest.store import StoreRejected, StoreUnavailable, TelemetryStore, open_store
from ingest.store.influx_v1 import InfluxV1Store
from ingest.store.influx_v2 import InfluxV2Store
from vigil.embedded import free_port

T0 = 1_795_766_400_000
START = datetime.fromtimestamp(T0 / 1000, UTC)


def fleet(assets: int = 3, minutes: int = 10) -> list[Point]:
    return [
        Reading(
            "s1", f"a{i}", "pump", T0 + j * 10_000, {"vibration_rms": float(j), "current": 10.0 + i}
        ).to_point()
        for i in range(assets)
        for j in range(minutes * 6)
    ]


@pytest.fixture(params=["sqlite", pytest.param("influxdb", marks=pytest.mark.influxdb)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TelemetryStore]:
    if request.param == "sqlite":
        opened = open_store("sqlite", sqlite_path=tmp_path / "t.db")
    else:
        url, db = request.getfixturevalue("influx_db")
        opened = open_store("influxdb", url=url, database=db)
        assert isinstance(opened, InfluxV1Store)
        opened.ensure_database()
    yield opened
    opened.close()


def test_write_is_idempotent_per_key(store: TelemetryStore) -> None:
    points = fleet()
    store.write(points)
    store.write(points[:50])
    assert store.count(measurement="telemetry", field="vibration_rms") == len(points)
    assert store.count(measurement="telemetry", field="current", assets=["a1"]) == 60


def test_query_frame_shape_and_filters(store: TelemetryStore) -> None:
    store.write(fleet())
    frame = store.query(
        measurement="telemetry", start=START, end=START + timedelta(minutes=5), assets=["a0", "a2"]
    )
    assert list(frame.columns[:4]) == ["time", "site", "asset", "asset_type"]
    assert set(frame["asset"]) == {"a0", "a2"}
    assert len(frame) == 2 * 30
    assert str(frame["time"].dtype) == "datetime64[ms, UTC]"
    assert frame["vibration_rms"].dtype == "float64"


def test_query_downsamples_to_means(store: TelemetryStore) -> None:
    store.write(fleet())
    frame = store.query(
        measurement="telemetry",
        start=START,
        end=START + timedelta(minutes=10),
        assets=["a1"],
        fields=["vibration_rms"],
        every=timedelta(minutes=1),
    )
    assert len(frame) == 10
    assert frame["vibration_rms"].tolist() == [2.5 + 6 * k for k in range(10)]


def test_other_measurements_and_tag_filter(store: TelemetryStore) -> None:
    score = {"site": "s1", "asset": "a0", "asset_type": "pump"}
    store.write(
        [
            Point("anomaly_score", {**score, "detector": "pca"}, {"score": 0.5}, T0),
            Point("anomaly_score", {**score, "detector": "trend"}, {"score": 0.9}, T0),
        ]
    )
    frame = store.query(
        measurement="anomaly_score",
        start=START,
        end=START + timedelta(minutes=1),
        where={"detector": "trend"},
    )
    assert frame["score"].tolist() == [0.9]
    empty = store.query(measurement="telemetry", start=START, end=START + timedelta(minutes=1))
    assert empty.empty
    assert "time" in empty.columns


def test_unreachable_influx_is_retriable() -> None:
    store = InfluxV1Store(f"http://127.0.0.1:{free_port()}", "x", retries=1)
    with pytest.raises(StoreUnavailable):
        store.write(fleet(1, 1))
    with pytest.raises(StoreUnavailable):
        store.ping()


class _Recorder(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        self.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_influx_v2_write_follows_the_documented_api_contract() -> None:
    """/api/v2/write?org=..&bucket=..&precision=ms, `Authorization: Token`, line protocol body."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    store = InfluxV2Store(url, token="t0k", org="acme", bucket="telemetry")
    try:
        store.write(fleet(1, 1))
        (request,) = _Recorder.requests
        path, _, query = request["path"].partition("?")
        assert path == "/api/v2/write"
        params = dict(item.split("=") for item in query.split("&"))
        assert params["org"] == "acme"
        assert params["bucket"] == "telemetry"
        assert params["precision"] == "ms"
        assert request["headers"]["Authorization"] == "Token t0k"
        lines = request["body"].decode().splitlines()
        assert len(lines) == 6
        assert lines[0].startswith("telemetry,asset=a0,asset_type=pump,site=s1 ")
        assert lines[0].endswith(f" {T0}")
        _Recorder.status = 400
        with pytest.raises(StoreRejected):
            store.write(fleet(1, 1))
        _Recorder.status = 503
        with pytest.raises(StoreUnavailable):
            store.write(fleet(1, 1))
    finally:
        store.close()
        server.shutdown()
