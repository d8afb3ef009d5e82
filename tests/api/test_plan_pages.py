"""The PM plans page and its forms without a browser: each plan's next due, last occurrence and
PM compliance (also ``GET /api/v1/plans/overview``); a service manager creates, edits, pauses
and resumes plans, a refused form comes back with the reason and what was typed (4xx, never a
500); other roles read only; forged forms are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from api.dashboard import plans as plan_pages
from api.roles import Role
from planning.models import MaintenancePlan, Occurrence, OccurrenceStatus, Outcome, Unit
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.api.test_auth import sign_in
from tests.api.test_plans import _assets, _post
from tests.planning.builders import run


def _occurrence(plan_id: int, asset_id: int, due: datetime, **values: Any) -> Occurrence:
    return Occurrence(
        plan_id=plan_id,
        asset_id=asset_id,
        due_key=due.date().isoformat(),
        due_at=due,
        generated_at=due - timedelta(days=7),
        outcome=Outcome.CREATED,
        reason="test",
        checklist=[],
        **values,
    )


def test_the_overview_gives_next_due_last_occurrence_and_compliance(
    world: ApiWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _assets(world)
    today = datetime.now(UTC).date()
    monthly = _post(world, {"name": "Monthly pump check", "asset_type": "pump",
                            "trigger": "calendar", "every": 1, "unit": "months",
                            "start_on": (today + timedelta(days=3)).isoformat(), "lead_days": 7,
                            "steps": ["Check the seal"]})  # fmt: skip
    assert monthly.status_code == 201, monthly.text
    plan_id = monthly.json()["id"]
    hours = _post(world, {"name": "Chiller hours", "asset_id": ids["chiller-001"],
                          "trigger": "running_hours", "interval_hours": 2000})  # fmt: skip
    assert hours.status_code == 201, hours.text
    now = datetime.now(UTC)
    # Known answers for the last 12 months: due 100, 80, 60 and 40 days ago, grace 7 days;
    # done 2 days after (on time), 3 days after (on time), 20 days after (late), never (missed).
    with world.factory() as session:
        pump = ids["pump-001"]
        ago = [now - timedelta(days=d) for d in (100, 80, 60, 40)]
        done = OccurrenceStatus.DONE
        session.add_all([
            _occurrence(plan_id, pump, ago[0], status=done, done_at=ago[0] + timedelta(days=2)),
            _occurrence(plan_id, pump, ago[1], status=done, done_at=ago[1] + timedelta(days=3)),
            _occurrence(plan_id, pump, ago[2], status=done, done_at=ago[2] + timedelta(days=20)),
            _occurrence(plan_id, pump, ago[3], status=OccurrenceStatus.MISSED),
            # Older than the window: not counted.
            _occurrence(plan_id, pump, now - timedelta(days=400), status=OccurrenceStatus.MISSED),
        ])  # fmt: skip
        session.commit()
    report = run(world.factory, None, now)  # opens this month's work for both pumps
    assert len(report.created) == 2
    viewer = auth(world.keys[Role.viewer])
    rows = world.client.get("/api/v1/plans/overview", headers=viewer)
    assert rows.status_code == 200, rows.text
    by_name = {r["plan"]["name"]: r for r in rows.json()}
    pumps = by_name["Monthly pump check"]
    assert pumps["assets"] == 2
    assert pumps["next_due"]["next_due_on"] > (today + timedelta(days=3)).isoformat()
    assert pumps["last_occurrence"]["work_order_number"] in report.created
    assert pumps["last_occurrence"]["due_key"] == (today + timedelta(days=3)).isoformat()
    compliance = pumps["compliance"]
    assert (compliance["on_time"], compliance["due"], compliance["late"]) == (2, 4, 1)
    assert (compliance["missed"], compliance["share"]) == (1, 0.5)
    chiller = by_name["Chiller hours"]
    assert chiller["asset"] == "plant-south/chiller-001"
    assert chiller["last_occurrence"] is None
    assert chiller["compliance"]["share"] is None
    short = world.client.get("/api/v1/plans/overview?days=50", headers=viewer).json()
    assert {r["plan"]["name"]: r["compliance"]["due"] for r in short}["Monthly pump check"] == 1
    assert world.client.get("/api/v1/plans/overview?days=0", headers=viewer).status_code == 422
    # The page shows the same.
    sign_in(world, Role.viewer)
    page = world.client.get("/plans")
    assert page.status_code == 200
    assert "50 %" in page.text
    assert "2 of 4, 1 late, 1 missed" in page.text
    assert pumps["last_occurrence"]["work_order_number"] in page.text
    assert 'href="/plans/new"' not in page.text  # a viewer reads only
    # The search narrows the plans, and what comes next with them.
    chillers = world.client.get("/plans", params={"q": "CHILLER-001"})
    assert "Chiller hours" in chillers.text
    assert "Monthly pump check" not in chillers.text
    assert "pump-001" not in chillers.text
    assert "No plan matches." in world.client.get("/plans", params={"state": "paused"}).text
    monkeypatch.setattr(plan_pages, "SHOWN", 1)
    first = world.client.get("/plans")
    assert "1 of 2 plans shown" in first.text
    listed = first.text.split('id="upcoming"')[0]  # the plans table, before what comes next
    assert "Chiller hours" in listed
    assert "Monthly pump check" not in listed  # by name, the chiller plan comes first


def _new(csrf: str, **fields: str) -> dict[str, str]:
    # Every trigger's boxes hold something: only the chosen trigger's are read.
    return {
        "csrf_token": csrf, "name": "Quarterly pump service", "description": "",
        "target": "asset", "asset": "plant-north/pump-001", "asset_type": "junk",
        "trigger": "calendar", "every": "3", "unit": "months", "anchor": "fixed",
        "start_on": "", "lead_days": "14", "interval_hours": "abc", "lead_hours": "-4",
        "metric": "temperature", "direction": "above", "level": "x", "clear_level": "",
        "for_readings": "", "article_0": "", "article_1": "", "article_2": "",
        "steps": "Check the seal\n\nGrease the bearings\n", "priority": "normal",
        "grace_days": "10",
    } | fields  # fmt: skip


def test_a_service_manager_creates_edits_pauses_and_resumes_in_forms(world: ApiWorld) -> None:
    _assets(world)
    csrf = sign_in(world, Role.service_manager)
    assert world.client.get("/plans/new").status_code == 200
    refusals: list[tuple[dict[str, str], int, str]] = [
        ({"every": "0"}, 422, "every: Input should be greater than or equal to 1"),
        ({"every": "three"}, 422, "every: Input should be a valid integer"),
        ({"lead_days": "120"}, 422, "lead_days must be shorter than the interval"),
        ({"asset": "pump-404"}, 422, "no asset &#39;pump-404&#39;"),
        ({"target": "type", "asset_type": ""}, 422, "asset type: name the type"),
        ({"trigger": "weekly"}, 422, "trigger: choose calendar"),
        ({"trigger": "running_hours", "interval_hours": "100", "lead_hours": "100"}, 422,
         "lead_hours must be less than interval_hours"),
        ({"trigger": "condition", "metric": "", "level": "3"}, 422, "needs metric"),
        ({"name": ""}, 422, "name: String should have at least 1 character"),
        ({"grace_days": "-1"}, 422, "grace days: Input should be greater than or equal to 0"),
        ({"article_0": "999"}, 422, "no knowledge-base article 999"),
    ]  # fmt: skip
    for change, status, says in refusals:
        response = world.client.post("/plans/new", data=_new(csrf, **change))
        assert response.status_code == status, (change, response.text[-2000:])
        assert says in response.text, (change, response.text[-3000:])
        assert 'id="plan-error"' in response.text
        assert 'value="Quarterly pump service"' in response.text or change.get("name") == ""
    created = world.client.post("/plans/new", data=_new(csrf), follow_redirects=False)
    assert created.status_code == 303, created.text
    with world.factory() as session:
        plan = session.scalars(sa.select(MaintenancePlan)).one()
        assert (plan.every, plan.unit, plan.lead_days, plan.grace_days) == (
            3,
            Unit.MONTHS,
            14,
            10,
        )
        assert plan.steps == ["Check the seal", "Grease the bearings"]
        assert plan.interval_hours is None
        assert plan.metric is None
        plan_id = plan.id
    taken = world.client.post("/plans/new", data=_new(csrf))
    assert taken.status_code == 409
    assert "exists" in taken.text
    by_type = world.client.post(
        "/plans/new",
        data=_new(csrf, name="Pump hours", target="type", asset_type="pump",
                  trigger="running_hours", interval_hours="2000", lead_hours="100"),
        follow_redirects=False,
    )  # fmt: skip
    assert by_type.status_code == 303, by_type.text

    edit = world.client.get(f"/plans/{plan_id}/edit")
    assert edit.status_code == 200
    assert 'name="interval_hours"' not in edit.text  # only its own trigger's boxes
    fields = _new(csrf, lead_days="7", every="")
    refused = world.client.post(f"/plans/{plan_id}/edit", data=fields)
    assert refused.status_code == 422
    assert "a calendar plan needs every" in refused.text
    saved = world.client.post(
        f"/plans/{plan_id}/edit", data=_new(csrf, lead_days=""), follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    with world.factory() as session:
        assert session.get(MaintenancePlan, plan_id).lead_days is None  # type: ignore[union-attr]

    paused = world.client.post(
        f"/plans/{plan_id}/active", data={"csrf_token": csrf, "active": "0"}, follow_redirects=True
    )
    assert "Quarterly pump service paused" in paused.text
    assert "Resume" in paused.text
    with world.factory() as session:
        assert session.get(MaintenancePlan, plan_id).active is False  # type: ignore[union-attr]
    world.client.post(f"/plans/{plan_id}/active", data={"csrf_token": csrf, "active": "1"})
    with world.factory() as session:
        assert session.get(MaintenancePlan, plan_id).active is True  # type: ignore[union-attr]
    assert world.client.get("/plans/999/edit").status_code == 404
    missing = world.client.post("/plans/999/active", data={"csrf_token": csrf, "active": "0"})
    assert "no plan 999" in missing.text


def test_other_roles_read_plans_and_forged_forms_are_refused(world: ApiWorld) -> None:
    _assets(world)
    manager = sign_in(world, Role.service_manager)
    forged = world.client.post("/plans/new", data=_new("not-the-token"))
    assert forged.status_code == 403
    other_site = world.client.post(
        "/plans/new", data=_new(manager), headers={"Origin": "https://evil.test"}
    )
    assert other_site.status_code == 403
    csrf = sign_in(world, Role.dispatcher)
    assert world.client.get("/plans").status_code == 200
    assert world.client.get("/plans/new").status_code == 403
    assert world.client.post("/plans/new", data=_new(csrf)).status_code == 403
    assert world.client.post("/plans/1/active", data={"csrf_token": csrf}).status_code == 403
    with world.factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(MaintenancePlan)) == 0
