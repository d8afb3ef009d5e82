"""A customer key sees only its own records, an engineer key only its own work: checked over
every route of the app (API and dashboard), not one, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from api import keys
from api.roles import Role
from customers import contracts, service
from customers.models import ContractKind
from field.models import EngineerLevel
from field.schemas import EngineerCreate
from field.service import create_engineer
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.customers.builders import ACTOR, build_org
from workorders import service as workorders
from workorders.requests.models import Category, Channel
from workorders.requests.service import RequestData, raise_request

UUID0 = "00000000-0000-0000-0000-000000000000"
# What only customer B's records contain: none of it may reach customer A.
_ROUTES_A_MAY_LIST = {
    "/api/v1/me",
    "/api/v1/customers",
    "/api/v1/sites",
    "/api/v1/contracts",
    "/api/v1/asset-records",
    "/api/v1/requests",
    "/api/v1/work-orders",
}


@dataclass(frozen=True)
class Desk:
    key_a: str  # customer A (ACME)
    engineer_1: str  # engineer e.one's key
    b: dict[str, str]  # customer B's identifiers, by path parameter
    b_markers: list[str]
    wo_a: str
    wo_b: str  # assigned to e.two


def _desk(world: ApiWorld) -> Desk:
    now = datetime.now(UTC)
    with world.factory() as session:
        org = build_org(session, now=now)
        contact = service.add_contact(
            session=session, customer_id=org.beta, contact=service.ContactData(name="Bea Zed")
        )
        contract = contracts.create_contract(
            session=session,
            customer_id=org.beta,
            data=contracts.ContractData(
                number="BETA-7",
                kind=ContractKind.PAID,
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            ),
            now=now,
        )
        e1, e2 = (
            create_engineer(
                session=session,
                data=EngineerCreate(code=code, name=code, level=EngineerLevel.MID),
                now=now,
            )
            for code in ("e.one", "e.two")
        )
        made = {}
        for asset_id, channel in ((org.pump_1, Channel.PORTAL), (org.fan_9, Channel.HOTLINE)):
            made[asset_id] = raise_request(
                session=session,
                data=RequestData(
                    channel=channel,
                    category=Category.TROUBLESHOOTING,
                    description="noise",
                    asset_id=asset_id,
                ),
                actor=ACTOR,
                now=now,
            )
        wo_b = made[org.fan_9].work_order
        workorders.assign(
            session=session,
            work_order_id=wo_b.id,
            assignee="e.two",
            expected_version=None,
            actor=ACTOR,
            now=now,
        )
        workorders.assign(
            session=session,
            work_order_id=made[org.pump_1].work_order.id,
            assignee="e.one",
            expected_version=None,
            actor=ACTOR,
            now=now,
        )
        key_a = keys.create_key(
            session=session, name="acme", role=Role.customer, customer_id=org.acme
        )
        key_e1 = keys.create_key(session=session, name="e1", role=Role.engineer, engineer_id=e1.id)
        session.commit()
        b = {
            "customer_id": str(org.beta),
            "contact_id": str(contact.id),
            "site_id": str(org.plant_b),
            "contract_id": str(contract.id),
            "asset_id": str(org.fan_9),
            "asset": "fan-9",
            "request": made[org.fan_9].request.number,
            "work_order": wo_b.number,
            "engineer": e2.code,
        }
        return Desk(
            key_a=key_a.key,
            engineer_1=key_e1.key,
            b=b,
            b_markers=[
                "Beta Foods",
                "plant-b",
                "fan-9",
                "BETA-7",
                "Bea Zed",
                wo_b.number,
                made[org.fan_9].request.number,
            ],
            wo_a=made[org.pump_1].work_order.number,
            wo_b=wo_b.number,
        )


def _concrete(path: str, b: dict[str, str]) -> str:
    """The path with customer B's identifiers (or harmless ones) in its parameters."""
    if path.startswith("/api/v1/requests/"):
        ref = b["request"]
    elif path.startswith("/api/v1/engineers/"):
        ref = b["engineer"]
    else:
        ref = b["work_order"]
    values = b | {
        "ref": ref,
        "day": "2026-08-01",
        "alert_id": UUID0,
        "silence_id": UUID0,
        "subscription_id": UUID0,
        "delivery_id": UUID0,
        "key_id": "0123456789ab",
        "version": "v0001",
        "absence_id": "1",
        "asset_type": "pump",
        "rule_id": "1",
        "article_id": "1",
        "plan_id": "1",
        "code": "BRG-6205",
    }
    # A parameter added later still gets a value: every route stays checked, none skipped.
    concrete = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m[1], "1"), path)
    return concrete


def app_routes(world: ApiWorld) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, through included routers too (FastAPI keeps those
    as contexts of the included router), the dashboard's included."""
    found: set[tuple[str, str]] = set()
    for route in world.app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        items = list(contexts()) if callable(contexts) else [route]
        for item in items:
            path, methods = getattr(item, "path", None), getattr(item, "methods", None)
            if isinstance(path, str) and methods:
                found |= {(m, path) for m in methods if m != "HEAD"}
    return sorted(found, key=lambda mp: (mp[1], mp[0]))


def _api_routes(world: ApiWorld) -> list[tuple[str, str]]:
    return [(m, p) for m, p in app_routes(world) if p.startswith("/api/v1")]


def test_a_customer_key_cannot_reach_another_customers_records_on_any_route(
    world: ApiWorld,
) -> None:
    desk = _desk(world)
    a = auth(desk.key_a)
    body = {"category": "troubleshooting", "description": "x", "asset_id": int(desk.b["asset_id"])}
    checked, listed = 0, 0
    for method, path in _api_routes(world):
        if path == "/api/v1/events":  # an endless stream when allowed: checked on its own below
            continue
        if path == "/api/v1/openapi.json":  # the API's schema: public, holds no records
            continue
        url = _concrete(path, desk.b)
        response = world.client.request(method, url, json=body, headers=a)
        checked += 1
        if path in _ROUTES_A_MAY_LIST and method == "GET":
            assert response.status_code == 200, (method, path, response.text)
            leaked = [m for m in desk.b_markers if m in response.text]
            assert leaked == [], (method, path, leaked)
            listed += 1
            continue
        assert response.status_code in (403, 404), (
            method,
            path,
            response.status_code,
            response.text,
        )
    assert world.client.get("/api/v1/events", headers=a).status_code == 403
    assert checked >= 80
    assert listed == len(_ROUTES_A_MAY_LIST)
    # A's own records are there (the lists are not simply empty).
    own = world.client.get("/api/v1/work-orders", headers=a).json()["items"]
    assert [wo["number"] for wo in own] == [desk.wo_a]
    assert world.client.get(f"/api/v1/work-orders/{desk.wo_a}", headers=a).status_code == 200
    raised = world.client.post(
        "/api/v1/requests",
        json={
            "category": "consultation",
            "description": "advice",
            "site_id": 1,
            "channel": "hotline",
        },
        headers=a,
    )
    assert raised.status_code == 201, raised.text
    assert raised.json()["request"]["channel"] == "portal"


def test_an_engineer_key_changes_only_work_assigned_to_it(world: ApiWorld) -> None:
    desk = _desk(world)
    e1 = auth(desk.engineer_1)
    for method, url, body in (
        ("GET", f"/api/v1/work-orders/{desk.wo_b}", None),
        ("POST", f"/api/v1/work-orders/{desk.wo_b}/transitions", {"to": "in_progress"}),
        ("PUT", f"/api/v1/work-orders/{desk.wo_b}/resolution", {"code": "confirmed_fault"}),
        ("PUT", f"/api/v1/work-orders/{desk.wo_b}/assignee", {"assignee": "e.one"}),
        ("GET", f"/api/v1/engineers/{desk.b['engineer']}/tasks", None),
        ("GET", f"/api/v1/customers/{desk.b['customer_id']}", None),
        ("GET", "/api/v1/assets", None),
    ):
        response = world.client.request(method, url, json=body, headers=e1)
        assert response.status_code in (403, 404), (method, url, response.status_code)
    listed = world.client.get("/api/v1/work-orders", headers=e1).json()["items"]
    assert [wo["number"] for wo in listed] == [desk.wo_a]
    moved = world.client.post(
        f"/api/v1/work-orders/{desk.wo_a}/transitions", json={"to": "in_progress"}, headers=e1
    )
    assert moved.status_code == 200, moved.text
    assert world.client.get("/api/v1/engineers/e.one/tasks", headers=e1).status_code == 200


_PUBLIC = {"/login", "/logout", "/healthz", "/readyz", "/api/docs"}


def test_a_customer_signed_in_to_the_dashboard_is_kept_to_its_portal(world: ApiWorld) -> None:
    desk = _desk(world)
    signed = world.client.post(
        "/login", data={"key": desk.key_a, "next": "/"}, follow_redirects=False
    )
    assert signed.status_code == 303
    portal = world.client.get("/portal")
    assert portal.status_code == 200
    assert desk.wo_a in portal.text
    assert [m for m in desk.b_markers if m in portal.text] == []
    csrf = portal.text.split('name="csrf-token" content="')[1].split('"')[0]
    checked = 0
    for method, path in app_routes(world):
        if path.startswith(("/api/", "/static")) or path in _PUBLIC or path == "/portal":
            continue
        url = _concrete(path, desk.b)
        form = {"csrf_token": csrf, "target": f"asset:{desk.b['asset_id']}", "description": "x"}
        response = world.client.request(
            method, url, data=form if method == "POST" else None, follow_redirects=False
        )
        checked += 1
        leaked = [m for m in desk.b_markers if m in response.text]
        assert leaked == [], (method, path, leaked)
        if path == "/portal/requests":  # B's asset is not found for A: refused, nothing raised
            assert response.status_code == 422, response.text
            continue
        assert response.status_code in (303, 403, 404), (method, path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"] == "/portal", (method, path)
    assert checked >= 10
    assert (
        world.client.get("/api/v1/requests", headers=auth(desk.key_a)).json()[0]["number"]
        != (desk.b["request"])
    )
