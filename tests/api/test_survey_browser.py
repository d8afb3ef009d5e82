"""The customer's survey page in Chromium at a phone's size, as the customer opens the mailed
link: no account, nothing fetched from outside, four questions and the 0-10 recommend scale,
answered once. Its screenshot is the one docs/field-service.md shows (VIGIL_DOCS_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.api.conftest import ApiWorld
from tests.api.test_surveys import send

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "field-service"
BASE = "http://testserver"


def test_the_customer_answers_the_survey_on_a_phone(
    world: ApiWorld, browser: Any, artifacts_dir: Path
) -> None:
    _, path = send(world)
    outside: list[str] = []

    def through_the_app(route: Any) -> None:
        # The page is served by the app itself (TestClient), so the browser sees Vigil's own
        # answers and headers; anything else would be a request leaving the page.
        request = route.request
        if not request.url.startswith(BASE):
            outside.append(request.url)
            route.abort()
            return
        answer = world.client.request(
            request.method,
            request.url.removeprefix(BASE),
            content=request.post_data_buffer,
            headers={"Content-Type": request.headers.get("content-type", "text/plain")},
        )
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.route("**/*", through_the_app)
    page.goto(BASE + path)
    for name, value in (("overall", "5"), ("speed", "4"), ("competence", "5")):
        page.check(f"input[name={name}][value='{value}']")
    page.check("input[name=communication][value='4']")
    page.check("input[name=recommend][value='9']")
    page.fill("#comment", "The engineer explained what had worn out.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot = artifacts_dir / "survey.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(shot, DOCS_IMG / "survey.png")
    page.click("button[type=submit]")
    page.wait_for_selector("#survey-thanks")
    assert outside == []
    page.goto(BASE + path)  # the link works once
    assert "used" in (page.get_attribute("[data-reason]", "data-reason") or "")
    page.close()
