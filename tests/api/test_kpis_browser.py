"""The KPIs page in a real headless Chromium: graded figures, the breakdown, and the trend charts
drawn by the vendored uPlot with no request leaving the server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from api.roles import Role
from tests.api.builders import make_keys
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.reports.kpi_fixture import build
from workorders.db import make_engine, session_factory

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "reports"


def test_the_kpis_page_draws_its_charts(
    tmp_path: Path, sqlite_template: Path, browser: Any, artifacts_dir: Path
) -> None:
    shutil.copy(sqlite_template, tmp_path / "vigil.db")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'vigil.db'}"))
    app, _ = build_world(tmp_path, factory=factory)
    keys = make_keys(factory)
    with factory() as session:
        build(session)
        session.commit()
    with serve(app) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
        page.goto(base + "/login?next=/kpis")
        page.fill("#key", keys[Role.viewer])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/kpis")
        assert page.locator("#nav-kpis").get_attribute("aria-current") == "page"

        # Pick November and a breakdown by region with the pickers.
        page.select_option("#kpi-period", "2026-11")
        page.select_option("#kpi-breakdown", "region")
        page.click(".kpi-picker button[type=submit]")
        page.wait_for_url(base + "/kpis?period=2026-11&breakdown=region")
        page.wait_for_selector("#kpi-trend[data-ready=true]", timeout=15_000)
        assert page.get_attribute("#kpi-trend", "data-charts") == "4"
        assert page.locator("#kpi-trend .kpi-chart canvas").count() == 4
        for chart in ("response", "shares", "predictive", "satisfaction"):
            assert page.get_attribute(f".kpi-chart[data-chart={chart}]", "data-points") == "12"
        # Graded in colour, the grade also written out (not colour alone).
        card = page.locator(".kpi-card[data-kpi=response_median_h]")
        assert "grade-" in (card.get_attribute("class") or "")
        assert card.locator(".grade-label").inner_text() in (
            "excellent",
            "acceptable",
            "to improve",
        )
        colour = card.evaluate("e => getComputedStyle(e).borderLeftColor")
        assert colour not in ("", "rgba(0, 0, 0, 0)")
        rows = page.locator("#kpi-groups tbody tr")
        assert [rows.nth(i).get_attribute("data-group") for i in range(rows.count())] == [
            "north",
            "south",
        ]
        assert page.locator(".kpi-card[data-kpi=created] .kpi-value").inner_text() == "6"
        assert outside == []
        path = artifacts_dir / "kpis.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMG / "kpis-page.png")
        page.close()
