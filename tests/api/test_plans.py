"""Preventive plans through the API: CRUD with clear 4xx on bad plans, occurrences, compliance,
the dashboard page; a condition plan on the health score read from the real (SQLite) store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.roles import Role
from planning import scheduled
from planning.readings import store_readings
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.api.test_auth import sign_in
from workorders.assets import ensure_asset


def _assets(world: ApiWorld) -> dict[str, int]:
    now = datetime.now(UTC)
    with world.factory() as session:
        ids = {
            asset: ensure_asset(
                session=session, site=site, asset=asset, asset_type=kind, now=now
            ).id
            for site, asset, kind in world.fleet.assets
        }
        session.commit()
    return ids


def _post(world: ApiWorld, body: dict[str, Any], role: Role = Role.service_manager) -> Any:
    return world.client.post("/api/v1/plans", json=body, headers=auth(world.keys[role]))


BAD_PLANS: list[tuple[dict[str, Any], int, str]] = [
        ({"trigger": "calendar", "every": 0, "unit": "days"}, 422, "every"),
        ({"trigger": "running_hours", "interval_hours": 0}, 422, "interval_hours"),
        ({"trigger": "running_hours", "interval_hours": 10, "lead_hours": 10}, 422, "lead_hours"),
        ({"trigger": "calendar", "unit": "days"}, 422, "needs every"),
        ({"trigger": "calendar", "every": 1, "unit": "weeks"}, 422, "unit"),
        ({"trigger": "condition", "metric": "oil_pressure_x", "direction": "above", "level": 3},
         422, "unknown metric 'oil_pressure_x'"),
        ({"trigger": "condition", "metric": "operating_hours", "direction": "above", "level": 3},
         422, "use a running_hours plan"),
        ({"trigger": "condition", "metric": "temperature", "direction": "above", "level": 80,
          "clear_level": 85}, 422, "clear_level must be at or below"),
        ({"trigger": "calendar", "every": 1, "unit": "months", "interval_hours": 5}, 422,
         "has no interval_hours"),
        ({"trigger": "calendar", "every": 1, "unit": "months", "article_ids": [999]}, 422,
         "no knowledge-base article 999"),
        ({"trigger": "calendar", "every": 1, "unit": "days", "start_on": "1900-01-01"}, 422,
         "start_on"),
]  # fmt: skip


def test_a_bad_plan_is_refused_with_a_message(world: ApiWorld) -> None:
    pump = _assets(world)["pump-001"]
    for body, status, says in BAD_PLANS:
        response = _post(world, {"name": "Bad", "asset_id": pump} | body)
        assert response.status_code == status, (body, response.text)
        assert says in response.text, (body, response.text)
    assert (
        _post(world, {"name": "Bad", "trigger": "calendar", "every": 1, "unit": "days"}).status_code
        == 422
    )


def test_plans_are_created_read_changed_and_deleted_by_service_managers(world: ApiWorld) -> None:
    pump = _assets(world)["pump-001"]
    body = {"name": "Quarterly", "asset_id": pump, "trigger": "calendar", "every": 3,
            "unit": "months", "lead_days": 14, "steps": ["Check the seal"]}  # fmt: skip
    assert _post(world, body, Role.viewer).status_code == 403
    assert _post(world, {**body, "asset_id": 99999}).status_code == 404
    created = _post(world, body)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert plan["anchor"] == "fixed"
    assert plan["checklist"] == ["Check the seal"]
    assert _post(world, body).status_code == 409  # the same name
    headers = auth(world.keys[Role.service_manager])
    url = f"/api/v1/plans/{plan['id']}"
    changed = world.client.patch(url, json={"lead_days": 7}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["lead_days"] == 7
    assert world.client.patch(url, json={"every": 0}, headers=headers).status_code == 422
    assert (
        world.client.patch(url, json={"trigger": "condition"}, headers=headers).status_code == 422
    )
    listed = world.client.get(
        f"/api/v1/plans?asset_id={pump}", headers=auth(world.keys[Role.viewer])
    )
    assert [p["name"] for p in listed.json()] == ["Quarterly"]
    assert world.client.delete(url, headers=headers).status_code == 204
    assert world.client.get(url, headers=headers).status_code == 404


def test_a_condition_on_the_health_score_opens_work_for_the_hot_asset_only(world: ApiWorld) -> None:
    _assets(world)
    created = _post(world, {"name": "Pump check on high score", "asset_type": "pump",
                            "trigger": "condition", "metric": "score_ratio", "direction": "above",
                            "level": 0.8, "clear_level": 0.5, "for_readings": 3})  # fmt: skip
    assert created.status_code == 201, created.text
    read = store_readings(world.store)
    now = world.fleet.end + timedelta(minutes=1)
    first = scheduled.run(session_factory=world.factory, read=read, now=now)
    again = scheduled.run(session_factory=world.factory, read=read, now=now + timedelta(minutes=5))
    assert len(first.created) == 1
    assert again.created == []
    viewer = auth(world.keys[Role.viewer])
    occurrences = world.client.get("/api/v1/plans/occurrences", headers=viewer).json()
    assert [(o["asset"], o["status"], o["work_order_number"]) for o in occurrences] == [
        ("pump-002", "open", first.created[0])
    ]
    assert "score_ratio above 0.8 for 3 reading(s)" in occurrences[0]["reason"]
    plan_id = created.json()["id"]
    of_plan = world.client.get(f"/api/v1/plans/{plan_id}/occurrences", headers=viewer).json()
    assert [o["id"] for o in of_plan] == [o["id"] for o in occurrences]
    upcoming = world.client.get("/api/v1/plans/upcoming", headers=viewer).json()
    assert {(u["asset"], u["armed"]) for u in upcoming} == {("pump-001", True), ("pump-002", False)}
    # A plan with occurrences is history: deactivate it, do not delete it.
    manager = auth(world.keys[Role.service_manager])
    refused = world.client.delete(f"/api/v1/plans/{plan_id}", headers=manager)
    assert refused.status_code == 409
    assert "deactivate it instead" in refused.text
    start = (now - timedelta(days=1)).isoformat()
    end = (now + timedelta(days=1)).isoformat()
    compliance = world.client.get(
        "/api/v1/plans/compliance", params={"start": start, "end": end}, headers=viewer
    ).json()
    assert (compliance["on_time"], compliance["due"], compliance["pending"]) == (0, 0, 1)
    assert compliance["share"] is None
    bad = world.client.get(
        "/api/v1/plans/compliance", params={"start": end, "end": start}, headers=viewer
    )
    assert bad.status_code == 422
    # The dashboard lists the plan, what comes next and the occurrence.
    sign_in(world, Role.viewer)
    page = world.client.get("/plans")
    assert page.status_code == 200
    assert "Pump check on high score" in page.text
    assert first.created[0] in page.text
    assert "fired, waits to clear" in page.text
