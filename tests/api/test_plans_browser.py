"""The PM plans page in a real headless Chromium: a service manager makes a plan through the form
(the boxes of the other triggers hidden, a refused plan shown again with the reason), finds it
in the list with its next due, pauses and resumes it. The screenshot is docs/planning.md's."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.roles import Role
from planning.models import Direction, Occurrence, OccurrenceStatus, Outcome, Trigger, Unit
from planning.schemas import PlanCreate
from planning.service import create_plan
from tests.api.builders import make_keys
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.api.test_knowledge_browser import sign_in
from tests.planning.builders import run
from workorders.assets import ensure_asset
from workorders.models import Priority

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "planning"
ASSETS = [("plant-north", f"pump-00{n}", "pump") for n in (1, 2, 3)] + [
    ("plant-south", "chiller-001", "chiller"),
    ("plant-south", "lift-001", "lift"),
]


def _history(factory: sessionmaker[Session], now: datetime) -> None:
    """Plans with a past: a monthly lift inspection kept 5 times of 6, a pump plan due soon."""
    today = now.date()
    with factory() as session:
        ids = {
            a: ensure_asset(session=session, site=s, asset=a, asset_type=t, now=now).id
            for s, a, t in ASSETS
        }
        lift = create_plan(session=session, actor="manager", now=now - timedelta(days=200),
                           data=PlanCreate(name="Lift inspection (statutory)",
                                           asset_id=ids["lift-001"], trigger=Trigger.CALENDAR, every=1,
                                           unit=Unit.MONTHS, start_on=today + timedelta(days=20),
                                           lead_days=7, grace_days=3,
                                           steps=["Test the safety gear", "Check the ropes"]))  # fmt: skip
        create_plan(session=session, actor="manager", now=now,
                    data=PlanCreate(name="Pump seal check", asset_type="pump", trigger=Trigger.CALENDAR,
                                    every=3, unit=Unit.MONTHS, start_on=today + timedelta(days=4),
                                    lead_days=14, priority=Priority.NORMAL,
                                    steps=["Check the mechanical seal for leaks"]))  # fmt: skip
        create_plan(session=session, actor="manager", now=now,
                    data=PlanCreate(name="Chiller vibration check", asset_type="chiller",
                                    trigger=Trigger.CONDITION, metric="vibration_rms",
                                    direction=Direction.ABOVE, level=7.1, clear_level=4.5,
                                    for_readings=3))  # fmt: skip
        for month in range(1, 7):
            due = now - timedelta(days=30 * month + 10)
            late = month == 3
            session.add(
                Occurrence(
                    plan_id=lift.id, asset_id=ids["lift-001"], due_key=due.date().isoformat(),
                    due_at=due, generated_at=due - timedelta(days=7), outcome=Outcome.CREATED,
                    reason="calendar: due (test history)", checklist=[],
                    status=OccurrenceStatus.DONE,
                    done_at=due + timedelta(days=9 if late else 1),
                )
            )  # fmt: skip
        session.commit()
    run(factory, None, now)


@pytest.mark.browser
def test_a_service_manager_makes_and_pauses_a_plan_in_the_browser(
    tmp_path: Path, browser: Any, artifacts_dir: Path
) -> None:
    app, parts = build_world(tmp_path)
    factory: sessionmaker[Session] = parts["factory"]  # type: ignore[assignment]
    keys = make_keys(factory)
    now = datetime.now(UTC)
    _history(factory, now)
    with serve(app) as base:
        page = sign_in(browser, base, keys[Role.service_manager], "/plans")
        lift = page.locator("#plans tr", has_text="Lift inspection")
        assert "83 %" in lift.locator("td.compliance").inner_text()  # 5 of 6 on time
        assert "5 of 6, 1 late" in lift.locator("td.compliance").inner_text()
        pumps = page.locator("#plans tr", has_text="Pump seal check")
        assert "created, open" in pumps.locator("td.last").inner_text()

        page.click("#plan-new")
        page.wait_for_url(f"{base}/plans/new")
        # Only the chosen trigger's and target's boxes show.
        assert page.locator("#plan-every").is_visible()
        assert not page.locator("#plan-interval-hours").is_visible()
        assert not page.locator("#plan-asset-type").is_visible()
        page.fill("#plan-name", "Pump bearing greasing")
        page.check("#plan-target-type")
        assert page.locator("#plan-asset-type").is_visible()
        assert not page.locator("#plan-asset").is_visible()
        page.fill("#plan-asset-type", "pump")
        page.select_option("#plan-trigger", "running_hours")
        assert page.locator("#plan-interval-hours").is_visible()
        assert not page.locator("#plan-every").is_visible()
        page.fill("#plan-interval-hours", "2000")
        page.fill("#plan-lead-hours", "2000")
        page.fill("#plan-steps", "Grease the drive-end bearing\nGrease the non-drive-end bearing")
        page.click("#plan-save")
        error = page.locator("#plan-error")
        assert "lead_hours must be less than interval_hours" in error.inner_text()
        # What was typed is still there, the trigger too: fix the one box.
        assert page.locator("#plan-interval-hours").input_value() == "2000"
        assert page.locator("#plan-trigger").input_value() == "running_hours"
        page.fill("#plan-lead-hours", "100")
        page.click("#plan-save")
        page.wait_for_url("**/plans?saved=*")
        assert "Pump bearing greasing saved" in page.locator("#plans-saved").inner_text()
        row = page.locator("#plans tr", has_text="Pump bearing greasing")
        assert "every 2000.0 running hours" in row.locator("td.when").inner_text()
        assert "every pump" in row.inner_text()

        # Pause and resume the chiller plan.
        chiller = page.locator("#plans tr", has_text="Chiller vibration check")
        chiller.get_by_role("button", name="Pause").click()
        page.wait_for_url("**saved=*")
        chiller = page.locator("#plans tr", has_text="Chiller vibration check")
        assert "paused" in chiller.locator("td.state").inner_text().lower()
        chiller.get_by_role("button", name="Resume").click()
        page.wait_for_url("**saved=*")
        assert "active" in page.locator("#plans tr", has_text="Chiller vibration").inner_text()

        page.goto(f"{base}/plans")
        path = artifacts_dir / "pm-plans.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMG / "pm-plans.png")


@pytest.mark.browser
def test_a_dispatcher_reads_plans_but_gets_no_form(
    tmp_path: Path, browser: Any, artifacts_dir: Path
) -> None:
    app, parts = build_world(tmp_path)
    factory: sessionmaker[Session] = parts["factory"]  # type: ignore[assignment]
    keys = make_keys(factory)
    _history(factory, datetime.now(UTC))
    with serve(app) as base:
        page = sign_in(browser, base, keys[Role.dispatcher], "/plans")
        assert page.locator("#plans tr", has_text="Lift inspection").count() == 1
        assert page.locator("#plan-new").count() == 0
        assert page.get_by_role("button", name="Pause").count() == 0
        response = page.goto(f"{base}/plans/new")
        assert response is not None
        assert response.status == 403
