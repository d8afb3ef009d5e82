"""The engineer's phone view in a real headless Chromium at a phone's viewport: the engineer
checks in (with the browser's position), ticks the steps, scans a part, uploads a photo, the
customer signs with a finger, and the work order is resolved; the stock went down by the part,
and the photo and signature are served back only to those who may see them."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.roles import Role
from field.stock import queries
from field.visits.models import Visit
from ingest.store.sqlite import SqliteStore
from tests.api.builders import Fleet, auth
from tests.api.conftest import build_world
from tests.api.live import CHROMIUM, launch, serve
from tests.conftest import unavailable
from tests.field.visits.builders import BARCODE, STEPS, build_visit_world
from workorders import service as workorders
from workorders.db import make_engine, session_factory
from workorders.models import ResolutionCode, Status

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "phone"
PHONE = {"width": 390, "height": 844}  # an iPhone 12-14's CSS viewport
SITE = {"latitude": 47.3769, "longitude": 8.5417}


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python (pip install playwright; never `playwright install`)")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def shot(page: Any, artifacts_dir: Path, name: str, *, full_page: bool = True) -> None:
    """A screenshot; with VIGIL_DOCS_SCREENSHOTS=1 also the one in docs/img/phone."""
    path = artifacts_dir / f"phone-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"{name}.png")


def photo_png(width: int = 320, height: int = 240) -> bytes:
    """A colourful PNG to stand for a phone's photo (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes((40 + x * 180 // width, 90 + y * 120 // height, 150)) for x in range(width)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _setup(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as session:
        world = build_visit_world(session)
        made = {
            "ana": keys.create_key(
                session=session,
                name="Ana's phone",
                role=Role.engineer,
                engineer_id=world.engineer_id,
            ).key,
            "ben": keys.create_key(
                session=session, name="Ben", role=Role.engineer, engineer_id=world.other_engineer_id
            ).key,
            "acme": keys.create_key(
                session=session, name="ACME", role=Role.customer, customer_id=world.customer_id
            ).key,
            "beta": keys.create_key(
                session=session,
                name="Beta",
                role=Role.customer,
                customer_id=world.other_customer_id,
            ).key,
            "dispatcher": keys.create_key(session=session, name="desk", role=Role.dispatcher).key,
        }
        session.commit()
    return {"number": world.work_order, **made}


def _phone(browser: Any) -> Any:
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        geolocation=SITE | {"accuracy": 8},
        permissions=["geolocation"],
    )


def test_engineer_works_a_repair_through_on_a_phone(
    tmp_path: Path, browser: Any, artifacts_dir: Path, sqlite_template: Path
) -> None:
    shutil.copy(sqlite_template, tmp_path / "vigil.db")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'vigil.db'}"))
    app, parts = build_world(tmp_path, factory=factory)
    store = parts["store"]
    assert isinstance(store, SqliteStore)
    Fleet(assets=(("plant-a", "pump-1", "pump"),), hot={"pump-1": 1.3}).write(store)
    made = _setup(factory)
    number = made["number"]
    with serve(app) as base:
        app.state.fleet.refresh()
        context = _phone(browser)
        page = context.new_page()
        page.goto(f"{base}/login?next=/my-work")
        page.fill("#key", made["ana"])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/my-work")

        # Today's tasks, in route order with the SLA deadlines.
        task = page.locator(f"#task-{number}")
        assert "pump-1" in task.inner_text()
        assert "on site by" in task.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, artifacts_dir, "tasks")
        task.locator("a").click()
        page.wait_for_url(f"{base}/my-work/{number}")
        assert "fails in" in page.locator("#predicted-failure").inner_text()
        assert "vibration_rms" in page.locator("#contributing").inner_text()
        assert "SKF-6205" in page.locator("#suggested-parts").inner_text()
        assert "Worn drive-end bearing" in page.locator("#fixes").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, artifacts_dir, "work-order", full_page=False)

        # Check in: the time and the browser's position.
        page.click("#check-in")
        page.locator("#check-out").wait_for(state="visible", timeout=10_000)
        assert "47.37690, 8.54170" in page.locator("#visit-log").inner_text()

        # The steps of the suggested fix, ticked one by one (who and when shown).
        boxes = page.locator(".js-step")
        assert boxes.count() == len(STEPS)
        for i in range(boxes.count()):
            boxes.nth(i).check()
            step_id = boxes.nth(i).get_attribute("data-step")
            page.locator(f"#step-who-{step_id}", has_text="Ana").wait_for()

        # A scanner types the barcode and Enter into the field.
        page.click("#part-code")
        page.keyboard.type(BARCODE)
        page.keyboard.press("Enter")
        page.locator("#parts-used li", has_text="SKF-6205").wait_for(timeout=10_000)
        assert page.evaluate("document.activeElement.id") == "part-code"  # ready for the next
        # Unknown code: a clear message, nothing used.
        page.fill("#part-code", "NOPE-42")
        page.keyboard.press("Enter")
        page.locator(".message-bad", has_text="no part with number or barcode").wait_for()

        # A photo from the camera (the file input; the phone opens its camera for it).
        page.set_input_files(
            "#photo-input",
            files=[{"name": "pump-bearing.png", "mimeType": "image/png", "buffer": photo_png()}],
        )
        page.locator("#photos img").first.wait_for(timeout=10_000)
        page.locator("#checklist").scroll_into_view_if_needed()
        shot(page, artifacts_dir, "visit", full_page=False)
        page.fill("#notes", "Drive-end bearing pitted; replaced and greased.")
        page.click("#notes-save")
        page.locator(".message-ok", has_text="Notes saved").wait_for()

        # The customer signs with a finger, under their name.
        page.fill("#signer", "Ada Meier")
        pad = page.locator("#signature")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        x, y, w, h = box["x"], box["y"], box["width"], box["height"]
        page.mouse.move(x + w * 0.1, y + h * 0.6)
        page.mouse.down()
        for i in range(1, 30):
            page.mouse.move(x + w * (0.1 + 0.8 * i / 30), y + h * (0.6 - 0.3 * ((i % 10) / 10)))
        page.mouse.up()
        shot(page, artifacts_dir, "signature", full_page=False)
        page.click("#sign-save")
        page.locator("#accepted", has_text="Ada Meier").wait_for(timeout=10_000)
        signature_url = page.locator(".signature-img").get_attribute("src")
        photo_url = page.locator("#photos img").first.get_attribute("src")
        assert signature_url
        assert photo_url

        # Resolve: repaired, with the acceptance; then check out.
        page.click("#resolve")
        page.locator("#wo-status", has_text="resolved").wait_for(timeout=10_000)
        page.click("#check-out")
        page.locator("#check-in").wait_for(state="hidden")
        page.locator("#visit-log", has_text="out").wait_for()
        page.locator("#acceptance").scroll_into_view_if_needed()
        shot(page, artifacts_dir, "resolved", full_page=False)

        # What the server recorded.
        with factory() as session:
            wo = workorders.get_work_order(session=session, ref=number)
            assert wo.status is Status.RESOLVED
            assert wo.resolution_code is ResolutionCode.CONFIRMED_FAULT
            assert wo.accepted_by == "Ada Meier"
            assert wo.parts_used == ["1 x SKF-6205 (Bearing 6205-2RS)"]
            [van] = queries.levels(session=session, warehouse="van-ana")
            assert (van.part_number, van.on_hand) == ("SKF-6205", 1)  # was 2: one used
            [visit] = session.scalars(sa.select(Visit)).all()
            assert (visit.in_latitude, visit.in_longitude) == (47.3769, 8.5417)
            assert visit.checked_out_at is not None

        # The photo and the signature: to the assigned engineer (her session), staff and the
        # asset's customer; another engineer or customer finds nothing there.
        assert page.request.get(base + photo_url).status == 200
        photo = httpx.get(base + photo_url, headers=auth(made["acme"]))
        assert photo.status_code == 200
        assert photo.content == photo_png()
        for url in (photo_url, signature_url):
            for who, status in (("dispatcher", 200), ("acme", 200), ("ben", 404), ("beta", 404)):
                got = httpx.get(base + url, headers=auth(made[who]))
                assert got.status_code == status, (who, url)
            assert httpx.get(base + url).status_code == 401

        # Another engineer's phone: the work order is not there.
        other = _phone(browser).new_page()
        other.goto(f"{base}/login?next=/my-work")
        other.fill("#key", made["ben"])
        other.click("button[type=submit]")
        other.wait_for_url(base + "/my-work")
        assert other.locator(f"#task-{number}").count() == 0
        assert other.goto(f"{base}/my-work/{number}").status == 404
    store.close()
    parts["quarantine"].close()  # type: ignore[attr-defined]
