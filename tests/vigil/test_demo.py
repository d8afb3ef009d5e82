"""`vigil demo` runs on embedded defaults and stores readings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.vigil.test_cli import vigil


@pytest.mark.slow
@pytest.mark.parametrize(("broker", "seconds"), [("auto", 20), ("amqtt", 8)])
def test_demo_stores_readings(tmp_path: Path, broker: str, seconds: int) -> None:
    result = vigil(
        "demo",
        "--duration",
        str(seconds),
        "--broker",
        broker,
        "--data-dir",
        str(tmp_path / "demo"),
        "--port",
        "0",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stored = re.search(r"Stopped\. (\d+) readings stored\. Data lives in (.+)", result.stdout)
    assert stored is not None, result.stdout[-2000:]
    assert int(stored[1]) > 0
    assert (tmp_path / "demo" / "telemetry.db").exists()
