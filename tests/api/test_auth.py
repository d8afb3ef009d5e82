from __future__ import annotations

import time
from unittest import mock

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from starlette.responses import Response

from api import sessions
from api.config import ApiConfig
from api.models import ApiKey
from api.roles import Role
from tests.api.builders import SECRET, auth, fire_alert, open_work_order
from tests.api.conftest import ApiWorld


def sign_in(world: ApiWorld, role: Role) -> str:
    """Sign in through the form; returns the page's CSRF token."""
    response = world.client.post(
        "/login", data={"key": world.keys[role], "next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie
    page = world.client.get("/")
    token: str = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    return token


def test_keys_are_stored_only_as_hashes(world: ApiWorld) -> None:
    with world.factory() as session:
        stored = [tuple(row) for row in session.execute(sa.select(ApiKey.__table__))]
    assert len(stored) == len(Role)
    flat = " ".join(str(value) for row in stored for value in row)
    for key in world.keys.values():
        secret = key.split("_", 2)[2]
        assert key not in flat
        assert secret not in flat


def test_every_route_but_health_needs_a_key(world: ApiWorld) -> None:
    wo = open_work_order(world.factory)
    values = {
        "{asset}": "pump-001",
        "{ref}": "WO-2020-999999",  # no such work order: still 401, not 404
        "{alert_id}": "00000000-0000-0000-0000-000000000000",
        "{silence_id}": "00000000-0000-0000-0000-000000000000",
        "{subscription_id}": "00000000-0000-0000-0000-000000000000",
        "{delivery_id}": "00000000-0000-0000-0000-000000000000",
        "{key_id}": "0123456789ab",
        "{version}": "v0001",
        "{absence_id}": "1",
        "{asset_type}": "pump",
        "{customer_id}": "1",
        "{contact_id}": "1",
        "{site_id}": "1",
        "{day}": "2026-01-01",
        "{contract_id}": "1",
        "{asset_id}": "1",
        "{rule_id}": "1",
        "{article_id}": "1",
        "{plan_id}": "1",
        "{code}": "BRG-6205",
        "{task_id}": "1",
        "{survey_id}": "1",
        "{escalation_id}": "1",
        "{proposal_id}": "1",
        "{engineer_id}": "1",
        "{step_id}": "1",
        "{file_id}": "1",
    }
    checked = 0
    for path, operations in world.app.openapi()["paths"].items():
        if path in ("/healthz", "/readyz"):
            continue
        for method in operations:
            concrete = path
            for name, value in values.items():
                concrete = concrete.replace(name, value)
            assert "{" not in concrete, path
            response = world.client.request(method, concrete, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked >= 35
    # An existing work order answers the same as a missing one without a key.
    assert world.client.get(f"/api/v1/work-orders/{wo.number}").status_code == 401
    # The role check comes before the lookup too.
    viewer = auth(world.keys[Role.viewer])
    missing = world.client.put(
        "/api/v1/work-orders/WO-2020-999999/csat", json={"csat": 3}, headers=viewer
    )
    assert missing.status_code == 403
    bad = world.client.get("/api/v1/assets", headers=auth("vgl_0123456789ab_forged"))
    assert bad.status_code == 401
    assert bad.json()["detail"] == "invalid or revoked API key"
    assert (
        world.client.get(
            "/api/v1/assets", headers={"X-API-Key": world.keys[Role.viewer]}
        ).status_code
        == 200
    )


def test_each_role_is_refused_where_it_must_be(world: ApiWorld) -> None:
    fire_alert(world.factory)
    wo = open_work_order(world.factory, asset="pump-001")
    alert_id = world.client.get("/api/v1/alerts", headers=auth(world.keys[Role.viewer])).json()[0][
        "id"
    ]
    silence = {
        "site": "plant-north",
        "asset": "pump-001",
        "duration_minutes": 30,
        "reason": "planned",
    }
    hook = {"url": "https://ticketing.example.com/hook"}
    calls = {
        "acknowledge": ("POST", f"/api/v1/alerts/{alert_id}/acknowledge", None),
        "silence": ("POST", "/api/v1/silences", silence),
        "transition": ("POST", f"/api/v1/work-orders/{wo.id}/transitions", {"to": "acknowledged"}),
        "webhooks": ("POST", "/api/v1/webhooks", hook),
        "keys": ("GET", "/api/v1/keys", None),
    }
    desk = {Role.dispatcher, Role.service_manager}
    allowed = {
        "acknowledge": {Role.operator, Role.admin} | desk,
        "silence": {Role.operator, Role.admin} | desk,
        "transition": {Role.operator, Role.integrator, Role.admin} | desk,
        "webhooks": {Role.integrator, Role.admin},
        "keys": {Role.admin},
    }
    # The engineer may move work assigned to it: any other work order is not found for it.
    engineer = world.client.request(
        *calls["transition"][:2],
        json=calls["transition"][2],
        headers=auth(world.keys[Role.engineer]),
    )
    assert engineer.status_code == 404
    for name, (method, url, body) in calls.items():
        for role in Role:
            if role in allowed[name] or (name, role) == ("transition", Role.engineer):
                continue
            response = world.client.request(method, url, json=body, headers=auth(world.keys[role]))
            assert response.status_code == 403, (name, role)
            assert f"role '{role.value}' may not" in response.json()["detail"]
    for name, (method, url, body) in calls.items():
        role = sorted(allowed[name])[-1]
        response = world.client.request(method, url, json=body, headers=auth(world.keys[role]))
        assert response.status_code < 300, (name, role, response.text)


def test_revoked_key_and_its_session_stop_working(world: ApiWorld) -> None:
    sign_in(world, Role.viewer)
    assert world.client.get("/api/v1/assets").status_code == 200  # by cookie
    viewer_id = world.keys[Role.viewer].split("_")[1]
    revoked = world.client.delete(f"/api/v1/keys/{viewer_id}", headers=auth(world.keys[Role.admin]))
    assert revoked.status_code == 200
    assert world.client.get("/api/v1/assets").status_code == 401
    assert world.client.get("/", follow_redirects=False).status_code == 303
    by_header = world.client.get("/api/v1/assets", headers=auth(world.keys[Role.viewer]))
    assert by_header.status_code == 401


def test_forged_and_expired_session_cookies_are_refused(world: ApiWorld) -> None:
    admin_id = world.keys[Role.admin].split("_")[1]
    forged = URLSafeTimedSerializer("not-the-secret-" * 3, salt="vigil.dashboard.session")
    world.client.cookies.set(sessions.COOKIE, forged.dumps({"k": admin_id, "c": "x"}))
    assert world.client.get("/api/v1/keys").status_code == 401
    assert world.client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"

    genuine = URLSafeTimedSerializer(SECRET, salt="vigil.dashboard.session")
    world.client.cookies.set(sessions.COOKIE, genuine.dumps({"k": admin_id, "c": "x"}))
    assert world.client.get("/api/v1/keys").status_code == 200  # the control: a good cookie works

    # Signed with the right secret, but 8 h 1 min ago: past the session's maximum age.
    issued = time.time() - world.config.session_max_age_s - 60
    with mock.patch("itsdangerous.timed.time.time", return_value=issued):
        stale = genuine.dumps({"k": admin_id, "c": "x"})
    world.client.cookies.set(sessions.COOKIE, stale)
    assert world.client.get("/api/v1/keys").status_code == 401
    assert world.client.get("/", follow_redirects=False).status_code == 303

    tampered = genuine.dumps({"k": admin_id, "c": "x"})[:-3] + "AAA"
    world.client.cookies.set(sessions.COOKIE, tampered)
    assert world.client.get("/api/v1/keys").status_code == 401


def test_cookie_is_secure_when_configured() -> None:
    response = Response()
    sessions.issue(response, config=ApiConfig(session_secret=SECRET), key_id="0123456789ab")
    cookie = response.headers["set-cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=strict", "Max-Age=28800", "Path=/"):
        assert flag in cookie


def test_state_changes_by_cookie_need_the_csrf_token(world: ApiWorld) -> None:
    fire_alert(world.factory)
    csrf = sign_in(world, Role.operator)
    alert_id = world.client.get("/api/v1/alerts").json()[0]["id"]
    url = f"/api/v1/alerts/{alert_id}/acknowledge"
    refused = world.client.post(url)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert world.client.post(url, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    done = world.client.post(url, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200
    assert done.json()["acknowledged_by"].startswith("test operator")
    assert world.client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403


def test_sign_in_refuses_a_bad_key_and_a_foreign_origin(world: ApiWorld) -> None:
    bad = world.client.post("/login", data={"key": "vgl_nope_nope", "next": "/"})
    assert bad.status_code == 401
    assert "not valid" in bad.text
    foreign = world.client.post(
        "/login",
        data={"key": world.keys[Role.admin], "next": "/"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert foreign.status_code == 200
    assert "set-cookie" not in foreign.headers
    outside = world.client.post(
        "/login",
        data={"key": world.keys[Role.viewer], "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert outside.headers["location"] == "/"
