"""Customer value through the API and the dashboard: the month's scores, and only service
managers (and admins) decide proposals (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from api.roles import Role
from reports.value.scheduled import monthly_value_run
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.api.test_desk_pages import _sign_in
from tests.reports.value import fixture
from tests.reports.value.fixture import build

DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_scores_proposals_and_decisions_through_the_api(world: ApiWorld) -> None:
    with world.factory() as session:
        c = build(session)
        session.commit()
    monthly_value_run(session_factory=world.factory, now=DEC_1, rules=fixture.RULES)
    manager, viewer = auth(world.keys[Role.service_manager]), auth(world.keys[Role.viewer])
    rows = world.client.get("/api/v1/customer-value", headers=viewer).json()
    by_id = {r["customer_id"]: r for r in rows}
    alpha = by_id[c.alpha]
    assert (alpha["r_score"], alpha["f_score"], alpha["m_score"]) == (5, 4, 4)
    assert (alpha["value_class"], alpha["proposed_tier"], alpha["tier"]) == (
        "high_value",
        "vip",
        "standard",
    )
    assert alpha["monetary"] == "74942.47"
    assert alpha["proposal"]["status"] == "pending"
    gamma_proposal = by_id[c.gamma]["proposal"]["id"]
    url = f"/api/v1/tier-proposals/{alpha['proposal']['id']}"
    assert world.client.post(f"{url}/accept", headers=viewer).status_code == 403
    accepted = world.client.post(f"{url}/accept", headers=manager)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    again = world.client.post(f"{url}/accept", headers=manager)
    assert again.status_code == 409
    assert "accepted by" in again.json()["detail"]
    override = f"/api/v1/tier-proposals/{gamma_proposal}/override"
    no_reason = world.client.post(override, headers=manager, json={"tier": "standard"})
    assert no_reason.status_code == 422
    same = world.client.post(override, headers=manager, json={"tier": "basic", "reason": "x"})
    assert same.status_code == 422
    done = world.client.post(
        override, headers=manager, json={"tier": "standard", "reason": "renewal talks"}
    )
    assert done.json()["status"] == "overridden"
    customer = world.client.get(f"/api/v1/customers/{c.alpha}", headers=viewer).json()
    assert (customer["tier"], customer["tier_source"]) == ("vip", "value_analysis")
    history = world.client.get(f"/api/v1/customers/{c.alpha}/value", headers=viewer).json()
    assert [h["period"] for h in history] == ["2026-11"]
    pending = world.client.get(
        "/api/v1/tier-proposals", params={"status": "pending"}, headers=viewer
    ).json()
    assert c.epsilon in {p["customer_id"] for p in pending}
    assert c.alpha not in {p["customer_id"] for p in pending}
    bad = world.client.get("/api/v1/customer-value", params={"period": "2026-13"}, headers=viewer)
    assert bad.status_code == 422


def test_the_value_page_lists_scores_and_lets_a_service_manager_decide(world: ApiWorld) -> None:
    with world.factory() as session:
        c = build(session)
        session.commit()
    monthly_value_run(session_factory=world.factory, now=DEC_1, rules=fixture.RULES)
    csrf = _sign_in(world, world.keys[Role.viewer], "/customer-value")
    page = world.client.get("/customer-value").text
    assert f'id="value-{c.alpha}" data-class="high_value"' in page
    assert "Accept vip" not in page  # a viewer reads, without buttons
    csrf = _sign_in(world, world.keys[Role.service_manager], "/customer-value")
    page = world.client.get("/customer-value").text
    assert "Accept vip" in page
    rows = world.client.get("/api/v1/tier-proposals", headers=auth(world.keys[Role.viewer])).json()
    epsilon = next(p["id"] for p in rows if p["customer_id"] == c.epsilon)
    form = {"csrf_token": csrf, "action": "override", "tier": "standard", "period": "2026-11"}
    refused = world.client.post(f"/customer-value/proposals/{epsilon}", data=form)
    assert refused.status_code == 422
    assert "say why" in refused.text
    saved = world.client.post(
        f"/customer-value/proposals/{epsilon}",
        data=form | {"reason": "new owner, first order expected"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = world.client.get(saved.headers["location"]).text
    assert "new owner, first order expected" in page
