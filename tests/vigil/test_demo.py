"""`vigil demo` runs on embedded defaults and stores readings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.vigil.test_cli import vigil
from vigil.demo import DEMO_DISPATCHER, DEMO_SERVICE_MANAGER, demo_addresses
from vigil.settings import Settings


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
    # A first run warns of nothing a newcomer did: the staff mails go, as files, to the demo's
    # addresses (the monthly report of the loaded history included).
    assert "VIGIL_SERVICE_MANAGER_EMAILS" not in result.stderr, result.stderr[-3000:]
    assert "service.manager@vigil-demo.example" in " ".join(result.stdout.split())


def test_demo_addresses_fill_only_what_nobody_set(tmp_path: Path) -> None:
    files = Settings(demo=True, data_dir=tmp_path)
    assert demo_addresses(files) == {
        "dispatcher_emails": DEMO_DISPATCHER,
        "service_manager_emails": DEMO_SERVICE_MANAGER,
    }
    own = Settings(demo=True, data_dir=tmp_path, service_manager_emails="me@acme.test")
    assert demo_addresses(own) == {"dispatcher_emails": DEMO_DISPATCHER}
    relay = Settings(demo=True, data_dir=tmp_path, smtp_url="smtp://127.0.0.1:2525")
    assert demo_addresses(relay) == {}
