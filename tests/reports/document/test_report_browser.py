"""The report file in a real headless Chromium: it asks for nothing over the network, every
chart is drawn, and it prints on A4 pages. Each section's screenshot is what docs/reports.md
shows (refreshed with VIGIL_DOCS_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from reports.document.render import Written

pytestmark = pytest.mark.browser
SHOT_MAX_HEIGHT = 1100
DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img" / "reports"


def open_offline(browser: Any, written: Written) -> tuple[Any, list[str]]:
    """A page on the report file with every request recorded and anything but the file refused."""
    context = browser.new_context(viewport={"width": 960, "height": 900}, offline=True)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    url = written.html.as_uri()

    def only_the_file(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page, requests


def check_report(
    browser: Any, written: Written, artifacts_dir: Path, name: str, *, docs: bool = False
) -> list[str]:
    """Open the report, check it, save a screenshot per section (with ``docs`` and
    VIGIL_DOCS_SCREENSHOTS=1 also into docs/img/reports); the sections' slugs."""
    page, requests = open_offline(browser, written)
    assert requests == [written.html.as_uri()]  # nothing but the file itself
    charts = page.locator("svg.chart")
    assert charts.count() >= 10
    for i in range(charts.count()):
        chart = charts.nth(i)
        title = chart.locator("title").first.text_content()
        marks = int(chart.get_attribute("data-marks") or 0)
        assert marks > 0, f"chart {title!r} drew nothing"
        assert chart.locator(".mark").count() == marks, title
        box = chart.bounding_box()
        assert box is not None, title
        assert (box["width"] > 200, box["height"] > 20) == (True, True), title
        # Every mark has a size on screen (a bar of 0 px or a point outside the frame is a bug).
        mark = chart.locator(".mark").first.bounding_box()
        assert mark is not None, title
        assert (mark["width"] > 0, mark["height"] > 0) == (True, True), title
    slugs = [s.get_attribute("data-section") for s in page.locator("section[data-section]").all()]
    for slug in slugs:
        path = artifacts_dir / f"report-{name}-{slug}.png"
        box = page.locator(f"section[data-section={slug}]").bounding_box()
        assert box is not None
        # The top of a long section is enough for the docs (and keeps each image small).
        clip = {**box, "height": min(box["height"], SHOT_MAX_HEIGHT)}
        page.screenshot(path=str(path), clip=clip, full_page=True)
        if docs and os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMG / f"{slug}.png")
    # Printed on A4: one section per page at least, nothing fetched for it either.
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(
        b"/Type/Page"
    ) >= len(slugs)
    assert requests == [written.html.as_uri()]
    page.context.close()
    return [s for s in slugs if s]


def test_the_report_opens_offline_with_every_chart_drawn(
    written: Written, browser: Any, artifacts_dir: Path
) -> None:
    slugs = check_report(browser, written, artifacts_dir, "month")
    assert len(slugs) == 10
