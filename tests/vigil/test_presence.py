"""Gateway presence through the whole service and a real Mosquitto.

A gateway process killed with SIGKILL (the broker then publishes its Last Will, or a Sparkplug
edge node's NDEATH) shows offline in the API within 5 seconds; after the configured delay the
asset gets one data-quality work order, closed when the gateway is back; a storm of short
reconnects afterwards opens nothing more.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from api.roles import Role
from tests.api.builders import auth, make_keys
from tests.ingest.helpers import wait_until
from vigil.embedded import ChildServer
from vigil.service import Service
from vigil.settings import load_settings
from workorders.models import Asset, Kind, Status, WorkOrder

pytestmark = [pytest.mark.mosquitto, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DELAY_S = 5.0


@pytest.fixture
def service(mosquitto_server: ChildServer, tmp_path: Path) -> Iterator[Service]:
    settings = load_settings(
        None,
        mqtt_url=f"mqtt://127.0.0.1:{mosquitto_server.port}",
        mqtt_client_id=f"vigil-presence-{uuid.uuid4().hex[:8]}",
        data_dir=tmp_path,
        store="sqlite",
        api_port=0,
        session_secret="presence-test-" + "x" * 40,
        gateway_offline_work_order_after_s=DELAY_S,
        presence_check_s=0.5,
        ingest_batch_ms=50,
    )
    with Service(settings, with_collector=True) as running:
        yield running


class Gateways:
    """Gateway processes started with ``python -m tests.vigil.gateway_child``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.running: list[subprocess.Popen[str]] = []

    def start(self, mode: str, site: str, asset: str) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.vigil.gateway_child", mode, self.url, site, asset],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.running.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        return child

    def kill(self, child: subprocess.Popen[str]) -> float:
        child.kill()  # SIGKILL: no DISCONNECT, the broker publishes the Will
        child.wait(10)
        return time.monotonic()

    def close(self) -> None:
        for child in self.running:
            if child.poll() is None:
                child.kill()
                child.wait(10)


@pytest.fixture
def gateways(service: Service) -> Iterator[Gateways]:
    made = Gateways(service.settings.mqtt_url)
    yield made
    made.close()


def _online(client: httpx.Client, asset: str) -> bool | None:
    response = client.get(f"/api/v1/assets/{asset}")
    if response.status_code == 404:
        return None
    response.raise_for_status()
    online: bool | None = response.json()["online"]
    return online


def _work_orders(service: Service, asset: str) -> list[WorkOrder]:
    with service.sessions() as session:
        query = sa.select(WorkOrder).join(Asset).where(Asset.asset == asset)
        return list(session.scalars(query))


def test_killed_gateway_is_offline_within_5_s_and_gets_one_work_order(
    service: Service, gateways: Gateways
) -> None:
    key = make_keys(service.sessions)[Role.viewer]
    client = httpx.Client(base_url=service.url, headers=auth(key), timeout=10)
    site, asset = "presence", f"pump-{uuid.uuid4().hex[:6]}"
    child = gateways.start("status", site, asset)
    wait_until(lambda: _online(client, asset) is True, 15, "the gateway online in the API")

    killed = gateways.kill(child)
    wait_until(lambda: _online(client, asset) is False, 15, "the gateway offline in the API")
    offline_after = time.monotonic() - killed
    summary = client.get(f"/api/v1/assets/{asset}").json()
    print(f"\noffline in the API {offline_after:.2f} s after SIGKILL: {summary['state_reason']}")
    assert offline_after < 5.0
    assert summary["state"] == "no_data"
    assert summary["state_reason"].startswith("gateway offline since")

    wait_until(lambda: len(_work_orders(service, asset)) == 1, DELAY_S + 15, "the work order")
    opened_after = time.monotonic() - killed
    (order,) = _work_orders(service, asset)
    print(f"work order {order.number} opened {opened_after:.2f} s after SIGKILL")
    assert opened_after >= DELAY_S
    assert (order.kind, order.fault_code, order.status) == (
        Kind.DATA_QUALITY,
        "dq_gateway_offline",
        Status.OPEN,
    )

    child = gateways.start("status", site, asset)
    wait_until(lambda: _online(client, asset) is True, 10, "the gateway back online")
    wait_until(
        lambda: _work_orders(service, asset)[0].status is Status.CLOSED, 10, "the work order closed"
    )

    # A reconnect storm: ten drops (each with its Will), each far shorter than the delay,
    # open nothing.
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write("storm 10\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "stormed"
    wait_until(lambda: _online(client, asset) is True, 10, "the gateway online after the storm")
    time.sleep(DELAY_S + 1.5)

    def offline_points() -> int:
        now = datetime.now(UTC)
        statuses = service.store.query(
            measurement="gateway_status", start=now - timedelta(hours=1), end=now, assets=[asset]
        )
        return int((statuses["online"] == 0).sum())

    # The store's writer flushes in batches: on a loaded machine the last of the storm's points
    # can land after the delay (a full run at load average 20 had 10 of 11 when read at once).
    wait_until(lambda: offline_points() >= 11, 10, "the storm's offline points stored")
    assert offline_points() == 11  # the SIGKILL and the storm's ten Wills
    orders = _work_orders(service, asset)
    assert [(o.number, o.status, o.repeat_count) for o in orders] == [
        (order.number, Status.CLOSED, 0)
    ]


def test_sparkplug_node_death_takes_its_devices_offline(
    service: Service, gateways: Gateways
) -> None:
    key = make_keys(service.sessions)[Role.viewer]
    client = httpx.Client(base_url=service.url, headers=auth(key), timeout=10)
    group, node = f"plant-{uuid.uuid4().hex[:6]}", "edge-1"
    child = gateways.start("sparkplug", group, node)
    assets = [node, "dev-a", "dev-b"]
    wait_until(
        lambda: all(_online(client, a) is True for a in assets), 15, "node and devices online"
    )
    # What the DBIRTH declared is served with the asset: unit and Sparkplug datatype.
    assert client.get("/api/v1/assets/dev-a/metrics").json() == [
        {
            "metric": "flow",
            "unit": "m3/h",
            "source": "sparkplug",
            "sparkplug_name": "flow",
            "sparkplug_datatype": "Double",
        }
    ]
    assert client.get("/api/v1/assets/no-such-asset/metrics").status_code == 404
    killed = gateways.kill(child)
    wait_until(
        lambda: all(_online(client, a) is False for a in assets), 15, "node and devices offline"
    )
    offline_after = time.monotonic() - killed
    print(f"\nnode and devices offline in the API {offline_after:.2f} s after SIGKILL")
    assert offline_after < 5.0
