"""Gateway presence in the API and on the dashboard's fleet view."""

from __future__ import annotations

import time

from api.roles import Role
from ingest.status import status_point
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.api.test_auth import sign_in
from tests.ingest.helpers import wait_until


def test_an_offline_gateway_shows_in_the_api_and_the_fleet_view(world: ApiWorld) -> None:
    now = int(time.time() * 1000)
    world.store.write(
        [
            status_point("north", "gw-9", online=True, ts_ms=now - 60_000),
            status_point("north", "gw-9", online=False, ts_ms=now - 30_000),
            status_point("north", "pump-9", online=True, ts_ms=now - 30_000),
        ]
    )
    headers = auth(world.keys[Role.viewer])

    def gateway() -> dict[str, object]:
        summary: dict[str, object] = world.client.get("/api/v1/assets/gw-9", headers=headers).json()
        return summary

    # The app re-reads presence every second by itself.
    wait_until(lambda: gateway().get("online") is False, 10, "the gateway offline")
    summary = gateway()
    assert summary["state"] == "no_data"
    assert str(summary["state_reason"]).startswith("gateway offline since")
    assert summary["online_since"] is not None
    pump = world.client.get("/api/v1/assets/pump-9", headers=headers).json()
    assert pump["online"] is True
    listed = world.client.get("/api/v1/assets", params={"q": "-9"}, headers=headers).json()
    assert {(a["asset"], a["online"]) for a in listed["items"]} == {
        ("gw-9", False),
        ("pump-9", True),
    }
    sign_in(world, Role.viewer)
    fleet = world.client.get("/fragments/fleet").text
    assert "gateway offline since" in fleet
