"""The dashboard in a real headless Chromium: sign in, fleet, live alert, acknowledge, charts."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.roles import Role
from ingest.points import ANOMALY_SCORE, Point
from tests.api.builders import Fleet, fire_alert, make_keys, open_work_order
from tests.api.conftest import build_world
from tests.api.live import serve

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "dashboard"


def shot(page: Any, artifacts_dir: Path, name: str) -> None:
    """Save a screenshot; with VIGIL_DOCS_SCREENSHOTS=1 also refresh the one in the docs (not on
    every run, or each test run would leave changed images in everyone's working tree)."""
    path = artifacts_dir / f"dashboard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"{name}.png")


def test_operator_sees_an_alert_arrive_live_and_acknowledges_it(
    tmp_path: Path, browser: Any, artifacts_dir: Path
) -> None:
    app, parts = build_world(tmp_path)
    Fleet(
        assets=tuple(
            (site, f"{kind}-{n:03d}", kind)
            for site, kind, count in (
                ("plant-north", "pump", 6),
                ("plant-south", "chiller", 4),
                ("tower-east", "elevator", 3),
            )
            for n in range(1, count + 1)
        ),
        hot={"pump-002": 0.9, "chiller-003": 0.85},
        minutes=6 * 60,
    ).write(parts["store"])  # type: ignore[arg-type]
    keys = make_keys(parts["factory"])  # type: ignore[arg-type]
    with serve(app) as base:
        app.state.fleet.refresh()
        page = browser.new_page(viewport={"width": 1440, "height": 900})

        # Sign in: an unsigned visitor lands on the sign-in page and comes back to the fleet.
        page.goto(base + "/")
        assert page.url.startswith(base + "/login")
        page.fill("#key", keys[Role.operator])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        rows = page.locator("table.fleet tbody tr")
        assert rows.count() == 13
        first = rows.nth(0)
        assert first.get_attribute("data-asset") == "pump-002"
        assert "watch" in first.inner_text().lower()  # the state is written out, not colour alone
        page.wait_for_selector("#live-status[data-state=live]")
        shot(page, artifacts_dir, "fleet")

        # An alert fires in the back end; the page shows it without reloading.
        page.evaluate("window.__sameDocument = true")
        fire_alert(parts["factory"], "pump-002")  # type: ignore[arg-type]
        item = page.locator("#feed li[data-alert-id]").first
        item.wait_for(timeout=10_000)
        assert "pump-002" in item.inner_text()
        assert "firing" in item.inner_text().lower()
        page.locator(".toast-alert").first.wait_for(timeout=5_000)
        assert page.evaluate("window.__sameDocument") is True
        page.wait_for_selector(
            "table.fleet tbody tr[data-asset=pump-002][data-state=critical], "
            "table.fleet tbody tr[data-asset=pump-002][data-state=warning]"
        )
        shot(page, artifacts_dir, "live-alert")

        # Acknowledge from the feed.
        item.locator(".js-ack").click()
        page.wait_for_selector("#feed .acked")
        assert page.evaluate("window.__sameDocument") is True
        alerts = page.request.get(base + "/api/v1/alerts?asset=pump-002").json()
        assert alerts[0]["acknowledged_by"].startswith("test operator")

        # The work-order board shows the work order the alert opened, with its SLA countdown,
        # after one whose failure is predicted (soonest predicted failure first).
        now = datetime.now(UTC)
        elevator = open_work_order(
            parts["factory"],  # type: ignore[arg-type]
            asset="elevator-002",
            site="tower-east",
            asset_type="elevator",
            failure=(now + timedelta(days=4), now + timedelta(days=3.2), now + timedelta(days=5.3)),
            rul_source="learned",
        )
        page.goto(base + "/board")
        predicted = page.locator(".board-col").first.locator(".wo-card").first
        assert "elevator-002" in predicted.inner_text()
        # Which estimate: learned from confirmed failures, not the trend.
        assert predicted.locator(".fails-in").inner_text() == "fails in 3 to 5 days (learned)"
        page.goto(f"{base}/work-orders/{elevator.number}")
        assert "learned from confirmed failures" in page.inner_text("#predicted-failure")
        page.goto(base + "/board")
        card = page.locator(".wo-card", has_text="pump-002").first
        assert "pump-002" in card.inner_text()
        assert "within" in card.locator(".sla").inner_text() or "OVERDUE" in card.inner_text()
        shot(page, artifacts_dir, "board")

        # The asset page: charts drawn, the alert and the work order marked on them, and the
        # predicted remaining life with its interval over the last hour.
        parts["store"].write(  # type: ignore[attr-defined]
            [
                Point(
                    ANOMALY_SCORE,
                    {"site": "plant-north", "asset": "pump-002", "asset_type": "pump"},
                    {
                        "rul_days": 5 - m / 30,
                        "rul_low_days": 4 - m / 30,
                        "rul_high_days": 7.0,
                        "rul_learned": 0.0,
                    },
                    int((now - timedelta(minutes=60 - m)).timestamp() * 1000),
                )
                for m in range(60)
            ]
        )
        page.goto(base + "/asset/pump-002?range=6h")
        page.wait_for_selector("#telemetry-chart[data-ready=true]", timeout=10_000)
        assert page.locator("#telemetry-chart canvas").count() == 2  # vibration_rms, temperature
        assert page.locator("#score-chart canvas").count() == 1
        assert page.locator("#rul-chart canvas").count() == 1
        assert page.inner_text("#rul-source") == "Estimate from the degradation trend."
        assert int(page.get_attribute("#telemetry-chart", "data-points") or 0) > 50
        assert int(page.get_attribute("#telemetry-chart", "data-markers") or 0) >= 2
        legend = page.inner_text("#marker-legend")
        assert "alert firing: mechanical" in legend
        assert "opened" in legend
        assert "vibration_rms" in page.inner_text("#contributions")
        shot(page, artifacts_dir, "asset")

        # Another range redraws from the API, still with the markers.
        page.click(".ranges a:text('24h')")
        page.wait_for_url(base + "/asset/pump-002?range=24h")
        page.wait_for_selector("#telemetry-chart[data-ready=true]", timeout=10_000)
        assert int(page.get_attribute("#telemetry-chart", "data-markers") or 0) >= 2

        # Silence an asset for planned work from its page.
        page.goto(base + "/asset/chiller-003")
        page.click(".silence summary")
        page.select_option("#silence-form select[name=duration_minutes]", "60")
        page.fill("#silence-form input[name=reason]", "coil cleaning, planned")
        page.click("#silence-form button[type=submit]")
        page.wait_for_selector("h1 .state-maintenance", timeout=10_000)
        silences = page.request.get(base + "/api/v1/silences?active=true").json()
        assert [(s["asset"], s["reason"]) for s in silences] == [
            ("chiller-003", "coil cleaning, planned")
        ]
        page.close()

        # A viewer sees the same pages without the operator's buttons.
        viewer = browser.new_context().new_page()
        viewer.goto(base + "/login?next=/asset/pump-001")
        viewer.fill("#key", keys[Role.viewer])
        viewer.click("button[type=submit]")
        viewer.wait_for_url(base + "/asset/pump-001")
        assert viewer.locator("#silence-form").count() == 0
        assert "viewer" in viewer.inner_text(".who").lower()
        viewer.close()
