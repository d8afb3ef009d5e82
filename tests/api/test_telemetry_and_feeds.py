from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from api.events import Event, EventBus
from api.roles import Role
from ingest.quarantine import QuarantineEntry
from tests.api.builders import auth, fire_alert, open_work_order
from tests.api.conftest import ApiWorld


def test_telemetry_is_downsampled_to_at_most_max_points(world: ApiWorld) -> None:
    headers = auth(world.keys[Role.viewer])
    end = world.fleet.end
    params = {"start": (end - timedelta(hours=1)).isoformat(), "end": end.isoformat()}
    full = world.client.get("/api/v1/assets/pump-002/telemetry", params=params, headers=headers)
    assert full.status_code == 200
    body = full.json()
    assert len(body["time"]) == 60  # one reading a minute, fewer than max_points: all of them
    assert set(body["fields"]) == {"vibration_rms", "temperature"}
    small = world.client.get(
        "/api/v1/assets/pump-002/telemetry",
        params={**params, "max_points": 10, "metrics": "vibration_rms"},
        headers=headers,
    ).json()
    assert len(small["time"]) <= 10
    assert small["every_s"] == 400
    assert list(small["fields"]) == ["vibration_rms"]
    # Means of the buckets, not samples: the last bucket holds the raised vibration.
    assert max(small["fields"]["vibration_rms"]) > 2.5 > min(small["fields"]["vibration_rms"])

    scores = world.client.get("/api/v1/assets/pump-002/scores", params=params, headers=headers)
    assert set(scores.json()["fields"]) == {"score", "threshold"}
    backwards = {"start": params["end"], "end": params["start"]}
    bad = world.client.get("/api/v1/assets/pump-002/telemetry", params=backwards, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "start must be before end"


def test_assets_list_filters_and_sorts_worst_first(world: ApiWorld) -> None:
    fire_alert(world.factory, "chiller-001")
    headers = auth(world.keys[Role.viewer])
    page = world.client.get("/api/v1/assets", headers=headers).json()
    assert [a["asset"] for a in page["items"]] == ["chiller-001", "pump-002", "pump-001"]
    assert [a["state"] for a in page["items"]][:2] in (["critical", "watch"], ["warning", "watch"])
    assert page["items"][0]["open_alerts"] == 1
    assert page["items"][0]["open_work_orders"] == 1
    north = world.client.get("/api/v1/assets", params={"site": "plant-north"}, headers=headers)
    assert {a["asset"] for a in north.json()["items"]} == {"pump-001", "pump-002"}
    watch = world.client.get("/api/v1/assets", params={"state": "watch"}, headers=headers).json()
    assert [a["asset"] for a in watch["items"]] == ["pump-002"]
    assert watch["counts"]["ok"] == 1
    assert world.client.get("/api/v1/assets/nope", headers=headers).status_code == 404


def test_silence_puts_an_asset_in_maintenance(world: ApiWorld) -> None:
    operator = auth(world.keys[Role.operator])
    made = world.client.post(
        "/api/v1/silences",
        json={
            "site": "plant-north",
            "asset": "pump-001",
            "duration_minutes": 60,
            "reason": "oil change",
        },
        headers=operator,
    )
    assert made.status_code == 201, made.text
    assert made.json()["created_by"].startswith("test operator")
    one = world.client.get("/api/v1/assets/pump-001", headers=operator).json()
    assert one["state"] == "maintenance"
    both = world.client.post(
        "/api/v1/silences",
        json={
            "site": "plant-north",
            "duration_minutes": 5,
            "ends_at": "2030-01-01T00:00:00Z",
            "reason": "x",
        },
        headers=operator,
    )
    assert both.status_code == 422
    ended = world.client.delete(f"/api/v1/silences/{made.json()['id']}", headers=operator)
    assert ended.status_code == 204
    assert world.client.get("/api/v1/assets/pump-001", headers=operator).json()["state"] == "ok"


def test_quarantine_list_and_counts(world: ApiWorld) -> None:
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    world.quarantine.add_many(
        [
            QuarantineEntry(
                now_ms, "invalid_json", "Expecting value", "vigil/a/b/telemetry", b"{oops \xff"
            ),
            QuarantineEntry(
                now_ms, "timestamp_skew", "ts 2h in the future", "vigil/a/c/telemetry", b"{}"
            ),
            QuarantineEntry(now_ms, "invalid_json", "Expecting value", "vigil/a/d/telemetry", b"["),
        ]
    )
    headers = auth(world.keys[Role.viewer])
    counts = world.client.get("/api/v1/quarantine/counts", headers=headers).json()
    assert counts == {"total": 3, "by_reason": {"invalid_json": 2, "timestamp_skew": 1}}
    items = world.client.get(
        "/api/v1/quarantine", params={"reason": "invalid_json"}, headers=headers
    ).json()
    assert [i["topic"] for i in items] == ["vigil/a/d/telemetry", "vigil/a/b/telemetry"]
    assert items[1]["payload_head"] == "{oops \ufffd"
    older = world.client.get(
        "/api/v1/quarantine", params={"before_id": items[0]["id"]}, headers=headers
    ).json()
    assert [i["id"] for i in older] == [items[0]["id"] - 1, items[0]["id"] - 2]
    metrics = world.client.get("/metrics", headers=headers).text
    assert 'vigil_quarantined_messages{reason="invalid_json"} 2.0' in metrics


def test_watcher_publishes_alert_and_work_order_changes(world: ApiWorld) -> None:
    bus = EventBus()
    received: list[Event] = []

    async def listen() -> None:
        async for event in bus.subscribe(heartbeat_s=0.05):
            if event is not None:
                received.append(event)
            if len(received) >= 2:
                return

    from api.watch import ChangeWatcher

    watcher = ChangeWatcher(world.factory, bus)
    watcher.start_from_now()

    async def scenario() -> None:
        task = asyncio.create_task(listen())
        await asyncio.sleep(0.01)
        fire_alert(world.factory, "pump-001")
        assert watcher.poll() >= 2
        await asyncio.wait_for(task, timeout=2)

    asyncio.run(scenario())
    kinds = {e.kind for e in received}
    assert kinds == {"alert", "work_order"}
    assert watcher.poll() == 0  # nothing new: nothing published twice
    open_work_order(world.factory, asset="pump-002", fault_code="thermal")
    assert watcher.poll() == 1


def test_closing_the_bus_ends_every_stream() -> None:
    bus = EventBus()

    async def scenario() -> list[Event | None]:
        seen: list[Event | None] = []

        async def listen() -> None:
            async for event in bus.subscribe(heartbeat_s=5):
                seen.append(event)

        task = asyncio.create_task(listen())
        await asyncio.sleep(0.01)
        bus.publish("alert", {"asset": "pump-001"})
        await asyncio.sleep(0.01)
        bus.close()
        await asyncio.wait_for(task, timeout=1)
        return seen

    seen = asyncio.run(scenario())
    assert [e.kind for e in seen if e is not None] == ["alert"]
    assert bus.subscriber_count == 0


def test_a_registered_asset_without_recent_telemetry_is_listed_as_no_data(world: ApiWorld) -> None:
    open_work_order(world.factory, asset="pump-099", fault_code="dq_gateway_offline", score=3.5)
    headers = auth(world.keys[Role.viewer])
    page = world.client.get("/api/v1/assets", params={"q": "099"}, headers=headers).json()
    assert [(a["asset"], a["last_seen"]) for a in page["items"]] == [("pump-099", None)]
    one = world.client.get("/api/v1/assets/pump-099", headers=headers).json()
    assert one["open_work_orders"] == 1
    assert one["state"] in ("no_data", "critical")


def test_alerts_api_feed_and_events_carry_the_alerts_own_contributions(world: ApiWorld) -> None:
    from tests.api.test_auth import sign_in

    fire_alert(world.factory, "pump-001")
    headers = auth(world.keys[Role.viewer])
    (alert,) = world.client.get("/api/v1/alerts?asset=pump-001", headers=headers).json()
    assert alert["contributions"] == {"vibration_rms": 0.71, "temperature": 0.18}
    sign_in(world, Role.viewer)
    feed = world.client.get("/fragments/feed").text
    assert "vibration rms 71 %" in feed
    from api.watch import ChangeWatcher

    published: list[tuple[str, dict[str, Any]]] = []

    class Recording(EventBus):
        def publish(self, kind: str, data: dict[str, Any]) -> Event:
            published.append((kind, data))
            return super().publish(kind, data)

    watcher = ChangeWatcher(world.factory, Recording())
    watcher.start_from_now()
    fire_alert(world.factory, "pump-002")
    watcher.poll()
    events = [data for kind, data in published if kind == "alert"]
    assert events
    assert all(e["contributions"] == alert["contributions"] for e in events)
