from __future__ import annotations

from api.roles import Role
from tests.api.builders import auth, open_work_order
from tests.api.conftest import ApiWorld


def test_list_get_and_pull_with_cursor(world: ApiWorld) -> None:
    first = open_work_order(world.factory, asset="pump-001")
    second = open_work_order(world.factory, asset="pump-002")
    headers = auth(world.keys[Role.integrator])
    page = world.client.get("/api/v1/work-orders", params={"limit": 1}, headers=headers).json()
    assert [item["number"] for item in page["items"]] == [first.number]
    rest = world.client.get(
        "/api/v1/work-orders", params={"cursor": page["next_cursor"]}, headers=headers
    ).json()
    assert [item["number"] for item in rest["items"]] == [second.number]

    one = world.client.get(f"/api/v1/work-orders/{second.number}", headers=headers)
    assert one.status_code == 200
    assert one.headers["ETag"] == '"1"'
    assert one.json()["fault"]["top_metrics"] == {"vibration_rms": 0.71, "temperature": 0.18}
    assert (
        world.client.get("/api/v1/work-orders/WO-2020-999999", headers=headers).status_code == 404
    )
    bad_cursor = world.client.get("/api/v1/work-orders", params={"cursor": "x!"}, headers=headers)
    assert bad_cursor.status_code == 422


def test_transition_with_if_match_conflict_and_forbidden(world: ApiWorld) -> None:
    wo = open_work_order(world.factory)
    url = f"/api/v1/work-orders/{wo.id}/transitions"
    headers = auth(world.keys[Role.integrator])
    moved = world.client.post(
        url, json={"to": "dispatched"}, headers={**headers, "If-Match": '"1"'}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "dispatched"
    etag = moved.headers["ETag"]
    assert etag != '"1"'

    stale = world.client.post(
        url, json={"to": "in_progress"}, headers={**headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 409

    forbidden = world.client.post(url, json={"to": "closed"}, headers={**headers, "If-Match": etag})
    assert forbidden.status_code == 422
    assert forbidden.json()["allowed"] == ["cancelled", "in_progress", "resolved"]
    assert "allowed from 'dispatched'" in forbidden.json()["detail"]

    junk = world.client.post(url, json={"to": "dispatched"}, headers={**headers, "If-Match": "abc"})
    assert junk.status_code == 422


def test_resolution_and_csat_then_viewer_refused(world: ApiWorld) -> None:
    wo = open_work_order(world.factory)
    base = f"/api/v1/work-orders/{wo.number}"
    headers = auth(world.keys[Role.integrator])
    early = world.client.put(f"{base}/csat", json={"csat": 5}, headers=headers)
    assert early.status_code == 422
    resolved = world.client.put(
        f"{base}/resolution",
        json={
            "code": "confirmed_fault",
            "notes": "bearing replaced",
            "parts_used": ["6205-2RS"],
            "no_acceptance_reason": "customer not on site (test)",
        },
        headers=headers,
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    rated = world.client.put(f"{base}/csat", json={"csat": 4}, headers=headers)
    assert rated.json()["resolution"]["csat"] == 4
    assert world.client.put(f"{base}/csat", json={"csat": 9}, headers=headers).status_code == 422

    viewer = world.client.put(
        f"{base}/external-ref", json={"external_ref": "INC1"}, headers=auth(world.keys[Role.viewer])
    )
    assert viewer.status_code == 403
    assert "role 'viewer' may not update work orders" in viewer.json()["detail"]
    audit = world.client.get(f"{base}/audit", headers=headers).json()
    assert any("resolution" in entry["action"] for entry in audit)


def test_models_registry_routes(world: ApiWorld) -> None:
    viewer, scientist = auth(world.keys[Role.viewer]), auth(world.keys[Role.data_scientist])
    assert world.client.get("/api/v1/models", headers=viewer).json() == {
        "promoted": None,
        "versions": [],
    }
    assert world.client.get("/api/v1/models/v0001", headers=viewer).status_code == 404
    assert world.client.get("/api/v1/models/latest", headers=viewer).status_code == 422
    refused = world.client.post("/api/v1/models/v0001/promote", headers=viewer)
    assert refused.status_code == 403
    assert world.client.post("/api/v1/models/v0001/promote", headers=scientist).status_code == 404
    nothing = world.client.post("/api/v1/models/rollback", headers=scientist)
    assert nothing.status_code == 409
    assert "nothing to roll back" in nothing.json()["detail"]


def test_webhook_secret_rotation_route(world: ApiWorld) -> None:
    headers = auth(world.keys[Role.integrator])
    created = world.client.post(
        "/api/v1/webhooks", json={"url": "https://t.example.com/h"}, headers=headers
    )
    assert created.status_code == 201, created.text
    sub = created.json()
    assert sub["secret"].startswith("whsec_")
    url = f"/api/v1/webhooks/{sub['id']}/rotate-secret"
    rotated = world.client.post(url, json={"overlap_s": 3600}, headers=headers)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != sub["secret"]
    assert rotated.json()["previous_secret_until"] is not None
    bad = world.client.post(url, json={"secret": "whsec_***not-base64***"}, headers=headers)
    assert bad.status_code == 422
    assert "base64" in bad.text
    missing = "/api/v1/webhooks/00000000-0000-0000-0000-000000000000/rotate-secret"
    assert world.client.post(missing, json={}, headers=headers).status_code == 404
