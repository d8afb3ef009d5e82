"""The demo's pump repair on a phone: with the engineer key the demo prints, the pump-003 work
order (auto-dispatched to Anne Martin, as `vigil demo` does) is worked through at a phone's
viewport, using the demo's van stock, barcodes and the article's fix steps (SQLite, as the demo
runs). The full `vigil demo` run is tests/vigil/test_demo_work_order.py; this one starts from the
work order the scorer opens there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api import keys
from api.roles import Role
from field.scheduled import AutoRule, auto_dispatch, plan_rules
from field.stock import queries
from simulators.scenario import load_scenario
from tests.api.builders import decision
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.api.phone_flow import fits, phone, sign_in, work_through
from vigil.db import upgrade
from vigil.demo import BUNDLED_SCENARIO
from vigil.demo_desk import seed_desk
from vigil.demo_field import FIX, PARTS, seed_field
from workorders import from_alerts, service
from workorders.db import make_engine, session_factory
from workorders.models import Status

pytestmark = pytest.mark.browser


def test_the_demo_pump_repair_is_worked_through_on_a_phone(
    tmp_path: Path, browser: Any, artifacts_dir: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    upgrade(url)
    factory = session_factory(make_engine(url))
    now = datetime.now(UTC)
    with factory() as session:
        assert seed_desk(session=session, scenario=load_scenario(BUNDLED_SCENARIO), now=now)
        field = seed_field(session=session, now=now)
        session.commit()
    assert field is not None
    assert field.engineer_name == "Anne Martin"
    with factory() as session:
        key = keys.authenticate(session=session, key=field.engineer)
        assert key is not None
        assert key.role == Role.engineer
        wo = from_alerts.open_for_alert(
            session=session,
            decision=decision(asset="pump-003", site="waterworks", at=now),
            now=now,
        ).work_order
        number = wo.number
        session.commit()
    # The demo's auto-dispatch job (urgent work: the nearest qualified engineer).
    [sent] = auto_dispatch(
        session_factory=factory,
        now=now + timedelta(minutes=1),
        rule_for=plan_rules(urgent_fallback=AutoRule(within=timedelta(minutes=30))),
    )
    assert sent.action == "dispatched", sent

    app, parts = build_world(tmp_path, factory=factory)
    bearing, _, _, in_van, _ = PARTS[0]
    with serve(app) as base:
        page = sign_in(phone(browser), base, field.engineer)
        task = page.locator(f"#task-{number}")
        assert "pump-003" in task.inner_text()
        task.locator("a").click()
        page.wait_for_url(f"{base}/my-work/{number}")
        assert fits(page)
        work_through(
            page,
            artifacts_dir,
            barcode=PARTS[0][2],
            part=bearing,
            steps=len(FIX),
            engineer="demo engineer",
            shots=False,
        )
    with factory() as session:
        assert service.get_work_order(session=session, ref=number).status is Status.RESOLVED
        [level] = [
            lv
            for lv in queries.levels(session=session, warehouse="van-a.martin")
            if lv.part_number == bearing
        ]
        assert level.on_hand == in_van - 1
    parts["store"].close()  # type: ignore[attr-defined]
    parts["quarantine"].close()  # type: ignore[attr-defined]
