"""SLA plans through the API (read by staff, edited by service managers), the clock of a work
order, pause and resume, reclassification, and what is at risk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from api.roles import Role
from tests.api.builders import auth, decision, open_work_order
from tests.api.conftest import ApiWorld
from workorders import from_alerts


def _default(world: ApiWorld) -> dict[str, Any]:
    plans = world.client.get("/api/v1/sla/plans", headers=auth(world.keys[Role.viewer]))
    assert plans.status_code == 200, plans.text
    [default] = [p for p in plans.json() if p["is_default"]]
    return dict(default)


def test_plans_are_read_by_staff_and_edited_by_admins(world: ApiWorld) -> None:
    default = _default(world)
    assert default["name"] == "default"
    assert default["around_the_clock"] == ["urgent"]
    assert default["auto_dispatch"] == {
        "urgent": {"confirm_within_min": 30, "send": "nearest_qualified"}
    }
    assert len(default["targets"]) == 9
    body = {
        k: v
        for k, v in default.items()
        if k not in ("id", "is_default", "updated_at", "updated_by")
    }
    gold = body | {"name": "gold", "around_the_clock": ["urgent", "normal"]}
    refused = world.client.post(
        "/api/v1/sla/plans", json=gold, headers=auth(world.keys[Role.operator])
    )
    assert refused.status_code == 403
    assert "edit SLA plans" in refused.json()["detail"]
    created = world.client.post(
        "/api/v1/sla/plans", json=gold, headers=auth(world.keys[Role.admin])
    )
    assert created.status_code == 201, created.text
    assert created.json()["around_the_clock"] == ["normal", "urgent"]
    again = world.client.post("/api/v1/sla/plans", json=gold, headers=auth(world.keys[Role.admin]))
    assert again.status_code == 409
    gold["targets"][0]["respond_min"] = gold["targets"][0]["resolve_min"] + 1
    bad = world.client.put(
        f"/api/v1/sla/plans/{created.json()['id']}", json=gold, headers=auth(world.keys[Role.admin])
    )
    assert bad.status_code == 422
    assert "respond_min <= on_site_min" in bad.json()["detail"]
    missing = world.client.post(
        "/api/v1/sla/plans",
        json=body | {"name": "thin", "targets": body["targets"][:3]},
        headers=auth(world.keys[Role.admin]),
    )
    assert missing.status_code == 422
    assert "missing" in missing.json()["detail"]
    assert (
        world.client.get("/api/v1/sla/plans/999", headers=auth(world.keys[Role.viewer])).status_code
        == 404
    )


def test_pause_resume_and_the_clock_log(world: ApiWorld) -> None:
    wo = open_work_order(world.factory)
    headers = auth(world.keys[Role.operator])
    url = f"/api/v1/work-orders/{wo.number}"
    paused = world.client.post(
        f"{url}/sla/pause", json={"reason": "waiting_for_parts"}, headers=headers
    )
    assert paused.status_code == 200, paused.text
    assert paused.json()["sla"]["pause_reason"] == "waiting_for_parts"
    twice = world.client.post(
        f"{url}/sla/pause", json={"reason": "waiting_for_parts"}, headers=headers
    )
    assert twice.status_code == 422
    bad = world.client.post(f"{url}/sla/pause", json={"reason": "lunch"}, headers=headers)
    assert bad.status_code == 422
    resumed = world.client.post(f"{url}/sla/resume", headers=headers)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["sla"]["paused_since"] is None
    clock = world.client.get(f"{url}/sla", headers=auth(world.keys[Role.viewer])).json()
    assert [e["kind"] for e in clock["log"]] == ["start", "pause", "resume"]
    assert len(clock["milestones"]) == 9
    viewer = world.client.post(f"{url}/sla/resume", headers=auth(world.keys[Role.viewer]))
    assert viewer.status_code == 403
    assert "pause, resume or reclassify" in viewer.json()["detail"]
    # The ticketing system may pause too (its own "waiting for customer" state).
    by_ticketing = world.client.post(
        f"{url}/sla/pause",
        json={"reason": "waiting_for_customer", "resume_at": "2099-01-01T08:00:00Z"},
        headers=auth(world.keys[Role.integrator]),
    )
    assert by_ticketing.status_code == 200, by_ticketing.text
    assert by_ticketing.json()["sla"]["resume_at"].startswith("2099-01-01T08:00:00")
    resumed = world.client.post(f"{url}/sla/resume", headers=auth(world.keys[Role.integrator]))
    assert resumed.status_code == 200
    naive = world.client.post(
        f"{url}/sla/pause",
        json={"reason": "waiting_for_parts", "resume_at": "2099-01-01T08:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    assert "time zone" in naive.json()["detail"]


def test_reclassify_by_hand_with_a_reason(world: ApiWorld) -> None:
    wo = open_work_order(world.factory)
    headers = auth(world.keys[Role.operator])
    url = f"/api/v1/work-orders/{wo.number}/priority"
    changed = world.client.post(
        url, json={"priority": "normal", "reason": "no smoke after all"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["priority"] == "normal"
    assert datetime.fromisoformat(changed.json()["sla"]["respond_by"]) > wo.respond_by
    no_reason = world.client.post(url, json={"priority": "urgent", "reason": ""}, headers=headers)
    assert no_reason.status_code == 422


def test_at_risk_lists_overdue_work(world: ApiWorld) -> None:
    month_ago = datetime.now(UTC) - timedelta(days=30)
    with world.factory() as session:
        from_alerts.open_for_alert(session=session, decision=decision(at=month_ago), now=month_ago)
        session.commit()
    risk = world.client.get("/api/v1/sla/at-risk", headers=auth(world.keys[Role.viewer]))
    assert risk.status_code == 200, risk.text
    rows = risk.json()
    assert rows
    assert rows[0]["overdue"] is True
    assert rows[0]["level"] == 100
    assert rows[0]["business_minutes_left"] < 0


def test_a_holiday_set_through_the_api_moves_the_open_work_of_the_site(world: ApiWorld) -> None:
    from zoneinfo import ZoneInfo

    from tests.customers.builders import build_org

    zurich = ZoneInfo("Europe/Zurich")
    monday_4pm = datetime(2026, 3, 2, 16, 0, tzinfo=zurich).astimezone(UTC)
    with world.factory() as session:
        org = build_org(session, now=monday_4pm)
        wo = from_alerts.open_for_alert(
            session=session,
            decision=decision("fan-9", site="plant-b", at=monday_4pm, score=4.0),
            now=monday_4pm,
        ).work_order
        session.commit()
    # Normal work, 8 business hours from Monday 16:00 (08-17): Tuesday 15:00.
    assert wo.respond_by.astimezone(zurich).strftime("%a %H:%M") == "Tue 15:00"
    holiday = world.client.put(
        f"/api/v1/sites/{org.plant_b}/holidays",
        json={"day": "2026-03-03", "name": "Fasnacht"},
        headers=auth(world.keys[Role.admin]),
    )
    assert holiday.status_code == 200, holiday.text
    again = world.client.get(
        f"/api/v1/work-orders/{wo.number}", headers=auth(world.keys[Role.admin])
    )
    due = datetime.fromisoformat(again.json()["sla"]["respond_by"]).astimezone(zurich)
    assert due.strftime("%a %H:%M") == "Wed 15:00"
