"""The service desk in a real headless Chromium: a customer raises a request in the portal, the
dispatcher sees it with its suggestion and dispatches it, the engineer sees it in their list."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.roles import Role
from customers.hours import parse_hours
from field import service as field_service
from field.models import EngineerLevel
from field.schemas import BaseIn, EngineerCreate, SkillIn
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.customers.builders import build_org
from workorders.db import make_engine, session_factory

pytestmark = pytest.mark.browser


def _desk(factory: sessionmaker[Session]) -> dict[str, Any]:
    now = datetime.now(UTC)
    with factory() as session:
        org = build_org(session, now=now)
        engineer = field_service.create_engineer(
            session=session,
            data=EngineerCreate(
                code="p.fixer",
                name="Paula Fixer",
                level=EngineerLevel.SENIOR,
                base=BaseIn(label="Zurich depot", latitude=47.38, longitude=8.53),
                working_hours=parse_hours("24x7"),
                skills=[SkillIn(asset_type="pump", fault_code="*", level=3)],
            ),
            now=now,
        )
        session.flush()
        made = {
            "customer": keys.create_key(
                session=session, name="ACME portal", role=Role.customer, customer_id=org.acme
            ).key,
            "dispatcher": keys.create_key(session=session, name="desk", role=Role.dispatcher).key,
            "engineer": keys.create_key(
                session=session, name="Paula", role=Role.engineer, engineer_id=engineer.id
            ).key,
            "pump_1": org.pump_1,
        }
        session.commit()
    return made


def _sign_in(browser: Any, base: str, key: str, where: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/login?next={where}")
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_url(base + where)
    return page


def test_portal_request_is_dispatched_and_reaches_the_engineers_list(
    tmp_path: Path, browser: Any, artifacts_dir: Path, sqlite_template: Path
) -> None:
    # A migrated database: the seeded SLA plans and classification rules are part of the desk.
    shutil.copy(sqlite_template, tmp_path / "vigil.db")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'vigil.db'}"))
    app, _ = build_world(tmp_path, factory=factory)
    desk = _desk(factory)
    with serve(app) as base:
        # The customer: its own equipment only, and the request form.
        customer = _sign_in(browser, base, desk["customer"], "/portal")
        options = customer.locator("#request-target option").all_inner_texts()
        assert any(o.startswith("pump-1 ") for o in options)
        assert not any("fan-9" in o for o in options)  # Beta's asset
        customer.select_option("#request-target", f"asset:{desk['pump_1']}")
        customer.select_option("#request-category", "troubleshooting")
        customer.fill("#request-description", "Pump 1 is leaking at the seal")
        customer.fill("#request-contact-name", "Ada Meier")
        customer.click("#request-submit")
        message = customer.locator("#request-message")
        message.wait_for(timeout=10_000)
        found = re.search(r"opened work order (WO-\d{4}-\d{6}) \(urgent\)", message.inner_text())
        assert found, message.inner_text()
        number = found[1]
        assert customer.locator(f"#portal-wo-{number}").count() == 1
        customer.screenshot(path=str(artifacts_dir / "desk-portal.png"), full_page=True)
        # Another page of the dashboard sends the customer back to the portal.
        customer.goto(base + "/board")
        assert customer.url == base + "/portal"

        # The dispatcher: the new work order on the board, with its suggestion, and dispatch.
        dispatcher = _sign_in(browser, base, desk["dispatcher"], "/dispatch")
        suggestion = dispatcher.locator(f'[id="suggest-{number}-p.fixer"]')
        suggestion.wait_for(timeout=10_000)
        assert "Paula Fixer" in suggestion.inner_text()
        dispatcher.click(f'[id="dispatch-{number}-p.fixer"]')
        assigned = dispatcher.locator(f"#assigned-{number}")
        assigned.wait_for(timeout=10_000)
        assert "Paula Fixer" in assigned.inner_text()
        dispatcher.screenshot(path=str(artifacts_dir / "desk-dispatch.png"), full_page=True)

        # The engineer: the work in their list.
        engineer = _sign_in(browser, base, desk["engineer"], "/my-work")
        task = engineer.locator(f"#task-{number}")
        assert task.count() == 1
        assert "pump-1" in task.inner_text()
        engineer.screenshot(path=str(artifacts_dir / "desk-my-work.png"), full_page=True)
