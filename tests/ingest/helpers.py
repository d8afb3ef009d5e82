"""Builders for ingest tests: settings pointing at the test servers, and a running collector."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from vigil.settings import Settings, load_settings


def settings_for(
    *, mqtt_port: int, data_dir: Path, influx: tuple[str, str] | None = None, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "mqtt_url": f"mqtt://127.0.0.1:{mqtt_port}",
        "data_dir": data_dir,
        "mqtt_client_id": f"vigil-test-{data_dir.name}",
    }
    if influx is not None:
        values.update(store="influxdb", influx_url=influx[0], influx_db=influx[1])
    else:
        values.update(store="sqlite")
    values.update(overrides)
    return load_settings(None, **values)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
