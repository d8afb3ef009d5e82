"""The desk's dashboard pages: requests (list and form), customers, rules, and where customer and
engineer keys are sent (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from api import keys
from api.roles import Role
from tests.api.conftest import ApiWorld
from tests.customers.builders import build_org


def _sign_in(world: ApiWorld, key: str, where: str) -> str:
    response = world.client.post("/login", data={"key": key, "next": where}, follow_redirects=False)
    assert response.status_code == 303
    page = world.client.get(where)
    assert page.status_code == 200, page.text
    token: str = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    return token


def test_the_desk_raises_a_hotline_request_from_the_form_and_reads_the_records(
    world: ApiWorld,
) -> None:
    with world.factory() as session:
        org = build_org(session, now=datetime.now(UTC))
        session.commit()
    csrf = _sign_in(world, world.keys[Role.dispatcher], "/requests")
    form = {
        "csrf_token": csrf,
        "channel": "hotline",
        "target": f"asset:{org.pump_2}",
        "category": "consultation",
        "description": "Smoke from the motor",
        "contact_name": "guard",
    }
    page = world.client.post("/requests", data=form)
    assert page.status_code == 200, page.text
    assert "opened work order WO-" in page.text
    assert "(urgent)" in page.text
    assert "rule &#39;safety words&#39; (words: smoke) -&gt; urgent" in page.text
    refused = world.client.post("/requests", data=form | {"target": "asset:999999"})
    assert refused.status_code == 422
    assert "no asset 999999" in refused.text
    assert world.client.post("/requests", data=form | {"csrf_token": "x"}).status_code == 403
    customers = world.client.get("/customers")
    assert "ACME Water" in customers.text
    assert "Beta Foods" in customers.text
    acme = world.client.get(f"/customers/{org.acme}")
    assert "SC-1" in acme.text
    assert "Ada Meier" in acme.text
    assert world.client.get("/customers/999999").status_code == 404
    rules = world.client.get("/rules")
    assert "safety words" in rules.text


def test_bound_keys_are_sent_to_their_own_pages(world: ApiWorld) -> None:
    with world.factory() as session:
        viewer = keys.create_key(session=session, name="v2", role=Role.viewer)
        session.commit()
    _sign_in(world, world.keys[Role.engineer], "/my-work")
    assert world.client.get("/", follow_redirects=False).headers["location"] == "/my-work"
    assert world.client.get("/portal", follow_redirects=False).headers["location"] == "/my-work"
    _sign_in(world, viewer.key, "/")
    assert world.client.get("/portal", follow_redirects=False).headers["location"] == "/"
    # A viewer reads the requests page but gets no form to raise one.
    assert 'id="request-form"' not in world.client.get("/requests").text
