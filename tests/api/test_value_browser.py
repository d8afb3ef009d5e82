"""In Chromium: a service manager accepts and overrides tier proposals on the customer value page,
and an engineer's page shows each scorecard part in stars (screenshots for docs/reports.md)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api.roles import Role
from field.models import Engineer
from reports.value.scheduled import monthly_value_run
from tests.api.builders import make_keys
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.api.test_knowledge_browser import sign_in
from tests.reports import kpi_fixture
from tests.reports.test_scorecards import add_engineers
from tests.reports.value import fixture as value_fixture

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "reports"


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    """A screenshot in the artifacts; with VIGIL_DOCS_SCREENSHOTS=1 also the docs' copy."""
    path = artifacts_dir / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"{name}.png")


@pytest.mark.browser
def test_a_service_manager_decides_proposals_in_the_browser(
    tmp_path: Path,
    browser: Any,
    artifacts_dir: Path,
) -> None:
    app, parts = build_world(tmp_path)
    factory: sessionmaker[Session] = parts["factory"]  # type: ignore[assignment]
    keys = make_keys(factory)
    with factory() as session:
        c = value_fixture.build(session)
        session.commit()
    monthly_value_run(
        session_factory=factory, now=datetime(2026, 12, 1, 2, tzinfo=UTC), rules=value_fixture.RULES
    )
    with serve(app) as base:
        page = sign_in(browser, base, keys[Role.service_manager], "/customer-value")
        alpha = page.locator(f"#value-{c.alpha}")
        assert alpha.locator("td.r").inner_text() == "5"
        alpha.locator("button[value=accept]").click()
        page.wait_for_url("**saved=*")
        assert "accepted vip" in page.locator(f"#value-{c.alpha}").inner_text().lower()
        gamma = page.locator(f"#value-{c.gamma}")
        gamma.locator("select[name=tier]").select_option("standard")
        gamma.locator("input[name=reason]").fill("renewal under negotiation")
        gamma.locator("button[value=override]").click()
        page.wait_for_url("**saved=*")
        row = page.locator(f"#value-{c.gamma}").inner_text()
        assert "overridden" in row.lower()
        assert "renewal under negotiation" in row
        shot(page, artifacts_dir, "customer-value")


@pytest.mark.browser
def test_an_engineer_page_shows_each_part_in_stars(
    tmp_path: Path,
    browser: Any,
    artifacts_dir: Path,
) -> None:
    app, parts = build_world(tmp_path)
    factory: sessionmaker[Session] = parts["factory"]  # type: ignore[assignment]
    keys = make_keys(factory)
    with factory() as session:
        kpi_fixture.build(session)
        add_engineers(session)
        session.commit()
        ana = session.scalars(sa.select(Engineer).filter_by(code="ana")).one().id
    with serve(app) as base:
        page = sign_in(browser, base, keys[Role.dispatcher], "/engineers")
        page.goto(f"{base}/engineers?period=2026-11")
        assert page.locator("#scorecard-ana .overall .stars").get_attribute("aria-label") == (
            "3.5 of 5 stars"
        )
        page.goto(f"{base}/engineers/{ana}?period=2026-11")
        assert page.locator("#part-response td").nth(2).inner_text().startswith("1.0 h median")
        assert page.locator("#part-satisfaction .stars").get_attribute("aria-label") == (
            "4 of 5 stars"
        )
        shot(page, artifacts_dir, "engineer-scorecard")
