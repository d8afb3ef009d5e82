"""The knowledge base through the API: write, search, suggestions for a work order, a draft
from a resolution in one step, uses; roles and bad input."""

from __future__ import annotations

from typing import Any

from api.roles import Role
from tests.api.builders import auth, open_work_order
from tests.api.conftest import ApiWorld

ARTICLE: dict[str, Any] = {
    "title": "Pump bearing wear",
    "symptom": "Rising vibration at the drive end",
    "fix_steps": ["Replace bearing SKF 6205-2RS", "Align the coupling"],
    "parts": ["SKF 6205-2RS"],
    "fault_codes": ["mechanical"],
    "asset_types": ["pump"],
    "metrics": ["vibration_rms"],
    "status": "published",
}


def test_write_search_suggest_and_draft_from_a_resolution(world: ApiWorld) -> None:
    client, keys = world.client, world.keys
    made = client.post(
        "/api/v1/knowledge/articles", json=ARTICLE, headers=auth(keys[Role.operator])
    )
    assert made.status_code == 201, made.text
    article = made.json()
    assert article["fault_codes"] == ["mechanical"]
    assert article["author"].startswith("test operator")

    found = client.get(
        "/api/v1/knowledge/articles", params={"q": "6205-2RS"}, headers=auth(keys[Role.viewer])
    )
    assert [hit["article"]["id"] for hit in found.json()] == [article["id"]]

    wo = open_work_order(world.factory)
    suggested = client.get(
        f"/api/v1/work-orders/{wo.number}/suggested-articles", headers=auth(keys[Role.viewer])
    ).json()
    assert suggested[0]["article"]["id"] == article["id"]
    assert "fault code mechanical" in suggested[0]["reasons"]

    path = f"/api/v1/work-orders/{wo.number}/knowledge-article"
    early = client.post(path, headers=auth(keys[Role.operator]))
    assert early.status_code == 422
    assert "resolution notes" in early.json()["detail"]
    resolved = client.put(
        f"/api/v1/work-orders/{wo.number}/resolution",
        json={
            "code": "confirmed_fault",
            "notes": "Replaced the coupling insert",
            "no_acceptance_reason": "customer not on site (test)",
        },
        headers=auth(keys[Role.operator]),
    )
    assert resolved.status_code == 200, resolved.text
    draft = client.post(path, headers=auth(keys[Role.operator]))
    again = client.post(path, headers=auth(keys[Role.operator]))
    assert (draft.status_code, again.status_code) == (201, 200)
    assert draft.json()["id"] == again.json()["id"]
    assert draft.json()["status"] == "draft"

    used = client.post(
        f"/api/v1/knowledge/articles/{article['id']}/uses",
        json={"kind": "applied", "work_order": wo.number},
        headers=auth(keys[Role.viewer]),
    )
    assert used.status_code == 204, used.text
    counted = client.get("/api/v1/knowledge/contributions", headers=auth(keys[Role.viewer]))
    by_actor = {row["actor"].split(" ")[1]: row for row in counted.json()}
    assert by_actor["viewer"]["used"] == 1
    assert by_actor["operator"]["written"] == 2


def test_roles_and_bad_input_get_clear_4xx(world: ApiWorld) -> None:
    client, keys = world.client, world.keys
    refused = client.post(
        "/api/v1/knowledge/articles", json=ARTICLE, headers=auth(keys[Role.viewer])
    )
    assert refused.status_code == 403
    assert "may not write knowledge" in refused.json()["detail"]
    for body in ({"title": "x"}, {**ARTICLE, "status": "secret"}, {**ARTICLE, "extra": 1}):
        bad = client.post(
            "/api/v1/knowledge/articles", json=body, headers=auth(keys[Role.operator])
        )
        assert bad.status_code == 422, body
    missing = client.get("/api/v1/knowledge/articles/999999", headers=auth(keys[Role.viewer]))
    assert missing.status_code == 404
    assert "no knowledge article" in missing.json()["detail"]
    # Search syntax is never an error, whatever the characters.
    for q in ['"', "E-42", "NOT", "a:b", "(*)", "-"]:
        response = client.get(
            "/api/v1/knowledge/articles", params={"q": q}, headers=auth(keys[Role.viewer])
        )
        assert response.status_code == 200, (q, response.text)
    naive = client.get(
        "/api/v1/knowledge/contributions",
        params={"since": "2026-11-01T00:00:00"},
        headers=auth(keys[Role.viewer]),
    )
    assert naive.status_code == 422
