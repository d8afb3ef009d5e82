"""Engineers and dispatch through the API: roles, validation, suggestions, dispatch, tasks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api import keys
from api.roles import Role
from field.flows import Scoring
from field.shifts import DAYS
from field.sites import SiteInfo
from tests.api.builders import auth, open_work_order
from tests.api.conftest import ApiWorld
from tests.field.fixtures import GRENOBLE, LYON, VILLEURBANNE
from workorders.models import WorkOrder

ALWAYS = {day: [["00:00", "24:00"]] for day in DAYS}


def _locate(session: Session, wo: WorkOrder) -> SiteInfo:
    return SiteInfo(label=wo.asset.site, location=LYON if wo.asset.site == "plant-north" else None)


def engineer(code: str, base: Any, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": code.title(),
        "level": "mid",
        "time_zone": "Europe/Paris",
        "working_hours": ALWAYS,
        "base": {"label": code, "latitude": base.latitude, "longitude": base.longitude},
        "skills": [{"asset_type": "pump", "fault_code": "*", "level": 2}],
        **extra,
    }


def test_engineer_records_roles_and_validation(world: ApiWorld) -> None:
    operator, viewer = auth(world.keys[Role.operator]), auth(world.keys[Role.viewer])
    made = world.client.post(
        "/api/v1/engineers", json=engineer("nadia", VILLEURBANNE), headers=operator
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["open_jobs"] == 0
    assert body["working_hours"]["mon"] == [["00:00", "24:00"]]
    refused = world.client.post("/api/v1/engineers", json=engineer("eve", LYON), headers=viewer)
    assert refused.status_code == 403
    assert "may not edit engineers or dispatch work" in refused.json()["detail"]
    again = world.client.post("/api/v1/engineers", json=engineer("nadia", LYON), headers=operator)
    assert again.status_code == 409
    bad_hours = world.client.post(
        "/api/v1/engineers",
        json=engineer("bad", LYON, working_hours={"mon": [["17:00", "08:00"]]}),
        headers=operator,
    )
    assert bad_hours.status_code == 422
    assert "ends before it starts" in bad_hours.text
    bad_zone = world.client.post(
        "/api/v1/engineers", json=engineer("bad", LYON, time_zone="Mars/Olympus"), headers=operator
    )
    assert bad_zone.status_code == 422
    assert "unknown time zone" in bad_zone.text

    url = f"/api/v1/engineers/{body['id']}"
    patched = world.client.patch(
        url, json={"max_open_jobs": 2, "certifications": [{"name": "ATEX"}]}, headers=operator
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["max_open_jobs"], patched.json()["certifications"]) == (
        2,
        [{"name": "ATEX", "expires_on": None}],
    )
    leave = world.client.post(
        f"{url}/absences",
        json={
            "starts_at": "2026-07-01T00:00:00Z",
            "ends_at": "2026-07-15T00:00:00Z",
            "reason": "summer",
        },
        headers=operator,
    )
    assert leave.status_code == 201
    backwards = world.client.post(
        f"{url}/absences",
        json={
            "starts_at": "2026-07-15T00:00:00Z",
            "ends_at": "2026-07-01T00:00:00Z",
            "reason": "x",
        },
        headers=operator,
    )
    assert backwards.status_code == 422
    by_code = world.client.get("/api/v1/engineers/nadia", headers=viewer).json()
    assert [a["reason"] for a in by_code["absences"]] == ["summer"]
    gone = world.client.delete(f"{url}/absences/{leave.json()['id']}", headers=operator)
    assert gone.status_code == 204
    assert world.client.get("/api/v1/engineers/404", headers=viewer).status_code == 404
    assert world.client.delete(url, headers=operator).status_code == 204
    assert world.client.get("/api/v1/engineers", headers=viewer).json() == []


def test_suggest_dispatch_and_task_list(world: ApiWorld) -> None:
    world.app.state.scoring = Scoring(locate=_locate)
    operator, viewer = auth(world.keys[Role.operator]), auth(world.keys[Role.viewer])
    wo = open_work_order(world.factory, asset="pump-001")
    url = f"/api/v1/work-orders/{wo.number}"
    empty = world.client.get(f"{url}/dispatch-suggestions", headers=viewer).json()
    assert empty["suggestions"] == []
    assert empty["no_candidate"] == "no candidate: no engineer is registered"

    ids = {}
    for code, base, extra in (
        ("far", GRENOBLE, {}),
        ("near", VILLEURBANNE, {"max_open_jobs": 1}),
        ("chiller", LYON, {"skills": [{"asset_type": "chiller", "level": 3}]}),
    ):
        made = world.client.post(
            "/api/v1/engineers", json=engineer(code, base, **extra), headers=operator
        )
        ids[code] = made.json()["id"]
    found = world.client.get(f"{url}/dispatch-suggestions", headers=viewer).json()
    assert [s["code"] for s in found["suggestions"]] == ["near", "far"]
    top = found["suggestions"][0]
    assert [p["name"] for p in top["parts"]] == ["skill", "travel", "load", "slack"]
    assert top["distance_km"] == 4.3
    assert found["excluded"] == [
        {
            "engineer_id": ids["chiller"],
            "code": "chiller",
            "name": "Chiller",
            "reasons": ["no skill for pump / mechanical"],
        }
    ]
    assert found["no_candidate"] is None

    unfit = world.client.post(
        f"{url}/dispatch", json={"engineer_id": ids["chiller"]}, headers=operator
    )
    assert unfit.status_code == 422
    assert "no skill for pump / mechanical" in unfit.json()["detail"]
    assert (
        world.client.post(
            f"{url}/dispatch", json={"engineer_id": ids["near"]}, headers=viewer
        ).status_code
        == 403
    )
    sent = world.client.post(
        f"{url}/dispatch", json={"engineer_id": ids["near"], "reason": "closest"}, headers=operator
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["reason"] == "closest"
    assert sent.json()["actor"].startswith("test operator")
    doc = world.client.get(url, headers=viewer).json()
    assert (doc["status"], doc["assignee"]) == ("dispatched", "near")

    second = open_work_order(world.factory, asset="pump-002")
    full = world.client.post(
        f"/api/v1/work-orders/{second.number}/dispatch",
        json={"engineer_id": ids["near"]},
        headers=operator,
    )
    assert full.status_code == 409
    assert "at capacity: open jobs 1 of 1" in full.json()["detail"]
    nobody = world.client.post(f"{url}/dispatch", json={"engineer_id": 999999}, headers=operator)
    assert nobody.status_code == 422

    tasks = world.client.get(f"/api/v1/engineers/{ids['near']}/tasks", headers=viewer).json()
    assert [(t["order"], t["number"], t["distance_km"]) for t in tasks] == [(1, wo.number, 4.3)]
    assert tasks[0]["on_site_by"] == doc["sla"]["on_site_by"]
    history = world.client.get(f"{url}/dispatches", headers=viewer).json()
    assert [(d["engineer_id"], d["active"], d["mode"]) for d in history] == [
        (ids["near"], True, "manual")
    ]


def test_an_engineer_key_reads_its_own_task_list(world: ApiWorld) -> None:
    world.app.state.scoring = Scoring(locate=_locate)
    operator = auth(world.keys[Role.operator])
    made = world.client.post(
        "/api/v1/engineers", json=engineer("near", VILLEURBANNE), headers=operator
    ).json()
    with world.factory() as session:
        own = keys.create_key(
            session=session, name="Near's phone", role=Role.engineer, engineer_id=made["id"]
        ).key
        session.commit()
    first = open_work_order(world.factory, asset="pump-001")
    second = open_work_order(world.factory, asset="pump-002", site="plant-south")
    for wo in (second, first):
        sent = world.client.post(
            f"/api/v1/work-orders/{wo.number}/dispatch",
            json={"engineer_id": made["id"]},
            headers=operator,
        )
        assert sent.status_code == 201, sent.text
    mine = world.client.get("/api/v1/me/tasks", headers=auth(own))
    assert mine.status_code == 200, mine.text
    # Route order: the located site first (4.3 km from her base), the one without coordinates last.
    assert [(t["order"], t["number"], t["distance_km"]) for t in mine.json()] == [
        (1, first.number, 4.3),
        (2, second.number, None),
    ]
    assert (
        mine.json()
        == world.client.get(f"/api/v1/engineers/{made['id']}/tasks", headers=operator).json()
    )
    # Another engineer's key has its own (empty) list; staff have none of their own.
    assert (
        world.client.get("/api/v1/me/tasks", headers=auth(world.keys[Role.engineer])).json() == []
    )
    staff = world.client.get("/api/v1/me/tasks", headers=operator)
    assert staff.status_code == 403
    assert "only an engineer key has one" in staff.json()["detail"]


def test_ids_beyond_the_database_integer_are_refused_not_a_server_error(world: ApiWorld) -> None:
    operator = auth(world.keys[Role.operator])
    wo = open_work_order(world.factory, asset="pump-001")
    huge = str(2**40)
    assert world.client.get(f"/api/v1/engineers/{huge}", headers=operator).status_code == 404
    assert world.client.get(f"/api/v1/engineers/{huge}/tasks", headers=operator).status_code == 404
    gone = world.client.delete(f"/api/v1/engineers/1/absences/{huge}", headers=operator)
    assert gone.status_code == 422
    sent = world.client.post(
        f"/api/v1/work-orders/{wo.number}/dispatch", json={"engineer_id": 2**40}, headers=operator
    )
    assert sent.status_code == 422


def test_digits_that_are_not_decimal_are_a_code_not_a_server_error(world: ApiWorld) -> None:
    """'¹' passes str.isdigit() but int() refuses it: it was a 500 (found by the OpenAPI
    property test); it is looked up as a code like any other text."""
    operator = auth(world.keys[Role.operator])
    for ref in ("¹", "²³", "1¹"):
        assert world.client.get(f"/api/v1/engineers/{ref}", headers=operator).status_code == 404
        assert world.client.delete(f"/api/v1/engineers/{ref}", headers=operator).status_code == 404
