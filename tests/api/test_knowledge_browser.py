"""The knowledge base's pages in a real headless Chromium: an operator writes an article, edits
and publishes it, finds it by searching, and turns a work order's resolution into a draft from
the work order's page. A dispatcher reads but does not write (``api.roles.KNOWLEDGE``)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.roles import Role
from tests.api.builders import make_keys, open_work_order
from tests.api.conftest import ApiWorld, build_world
from tests.api.live import serve
from workorders import service as workorders
from workorders.models import ResolutionCode

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "field-service"


def resolved_work_order(parts: dict[str, Any]) -> str:
    wo = open_work_order(parts["factory"], asset="pump-007", fault_code="cavitation")
    with parts["factory"]() as session:
        workorders.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            expected_version=None,
            actor="tests",
            now=datetime.now(UTC),
            notes="Opened the suction valve fully\nCleaned the inlet strainer",
            parts_used=["STR-80 inlet strainer"],
        )
        session.commit()
    return wo.number


def sign_in(browser: Any, base: str, key: str, where: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    page.goto(f"{base}/login?next={where}")
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_url(base + where)
    return page


@pytest.mark.browser
def test_an_operator_writes_finds_and_drafts_articles(
    tmp_path: Path, browser: Any, artifacts_dir: Path
) -> None:
    app, parts = build_world(tmp_path)
    keys = make_keys(parts["factory"])  # type: ignore[arg-type]
    number = resolved_work_order(parts)
    with serve(app) as base:
        page = sign_in(browser, base, keys[Role.operator], "/knowledge")
        assert page.locator("#kb-empty").inner_text() == "No article yet."

        # Write one.
        page.click("#kb-new")
        page.wait_for_url(base + "/knowledge/new")
        page.fill("#kb-field-title", "Pump cavitation at low suction pressure")
        page.fill("#kb-field-symptom", "Crackling noise, flow unsteady, the drive shows E-42")
        page.fill("#kb-field-cause", "Suction valve half closed after maintenance")
        page.fill("#kb-field-steps", "Check the suction valve\nOpen it fully\nClean the strainer")
        page.fill("#kb-field-parts", "STR-80 inlet strainer")
        page.fill("#kb-field-fault-codes", "cavitation, E-42")
        page.fill("#kb-field-asset-types", "pump")
        page.fill("#kb-field-attachments", "https://docs.example/pumps/cavitation.pdf")
        page.click("#kb-save")
        page.wait_for_url(re.compile(r".*/knowledge/\d+\?saved=1$"))
        article_url = page.url.split("?")[0]
        assert page.locator("#kb-steps li").all_inner_texts() == [
            "Check the suction valve",
            "Open it fully",
            "Clean the strainer",
        ]
        assert page.locator("#kb-fault-codes").inner_text() == "cavitation, E-42"
        assert page.locator("#kb-article-status").text_content() == "draft"

        # Edit and publish it.
        page.click("#kb-edit")
        assert page.input_value("#kb-field-steps").startswith("Check the suction valve\n")
        page.select_option("#kb-field-status", "published")
        page.fill("#kb-field-cause", "Suction valve left half closed after maintenance")
        page.click("#kb-save")
        page.wait_for_url(article_url + "?saved=1")
        assert page.locator("#kb-article-status").text_content() == "published"
        assert page.locator("#kb-cause").inner_text().startswith("Suction valve left")
        shot(page, artifacts_dir, "knowledge-article")

        # Find it: by words in another form, and by the code with its hyphen.
        for query in ("valves strainers", "E-42"):
            page.goto(base + "/knowledge")
            page.fill("#kb-q", query)
            page.click("#kb-search")
            page.wait_for_url(re.compile(r".*/knowledge\?q="))
            titles = page.locator("#kb-articles tbody td:first-child a").all_inner_texts()
            assert titles == ["Pump cavitation at low suction pressure"], (query, titles)
        page.fill("#kb-q", "compressor")
        page.click("#kb-search")
        page.locator("#kb-empty").wait_for()
        shot(page, artifacts_dir, "knowledge-search-empty", docs=False)

        # From the work order's page: its resolution becomes a draft, opened for editing.
        page.goto(f"{base}/work-orders/{number}")
        assert "Pump cavitation" in page.locator("#wo-suggested").inner_text()
        page.click("#wo-draft-article")
        page.wait_for_url(re.compile(r".*/knowledge/\d+/edit$"))
        assert page.input_value("#kb-field-steps") == (
            "Opened the suction valve fully\nCleaned the inlet strainer"
        )
        assert page.input_value("#kb-field-fault-codes") == "cavitation"
        page.click("#kb-save")
        page.wait_for_url(re.compile(r".*/knowledge/\d+\?saved=1$"))
        page.goto(f"{base}/work-orders/{number}")
        assert page.locator("#wo-article").count() == 1
        assert page.locator("#wo-draft-article").count() == 0

        # A dispatcher reads the knowledge base but has no pen.
        desk = sign_in(browser, base, keys[Role.dispatcher], "/knowledge")
        assert desk.locator("#kb-articles tbody tr").count() == 2
        assert desk.locator("#kb-new").count() == 0
        desk.goto(article_url)
        assert desk.locator("#kb-edit").count() == 0
        assert desk.goto(base + "/knowledge/new").status == 403


def shot(page: Any, artifacts_dir: Path, name: str, *, docs: bool = True) -> None:
    """A screenshot in the artifacts; with VIGIL_DOCS_SCREENSHOTS=1 also the docs' copy."""
    path = artifacts_dir / f"{name}.png"
    page.screenshot(path=str(path))
    if docs and os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"{name}.png")


def test_a_refused_form_comes_back_with_the_reason_and_what_was_typed(world: ApiWorld) -> None:
    client = world.client
    client.post("/login", data={"key": world.keys[Role.operator], "next": "/knowledge/new"})
    form = client.get("/knowledge/new").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    posted = {"csrf_token": csrf[1], "title": "ab", "symptom": "keeps its text"}
    refused = client.post("/knowledge/new", data=posted)
    assert refused.status_code == 422
    assert "title: String should have at least 3 characters" in refused.text
    assert "keeps its text" in refused.text
    forged = client.post("/knowledge/new", data={**posted, "csrf_token": "x", "title": "abc"})
    assert forged.status_code == 403
    assert client.get("/knowledge/999999").status_code == 404
    missing = client.post(
        "/work-orders/WO-2026-999999/knowledge-article", data={"csrf_token": csrf[1]}
    )
    assert missing.status_code == 404
