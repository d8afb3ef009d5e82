"""The engineer's repair on the phone view, step by step in a real Chromium at a phone's
viewport: shared by the browser test and the demo's (the same flow on the demo's data)."""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "field-service"
PHONE = {"width": 390, "height": 844}  # an iPhone 12-14's CSS viewport
SITE = {"latitude": 47.3769, "longitude": 8.5417}


def phone(browser: Any) -> Any:
    """A phone's browser context: its viewport, touch, and a position to give."""
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        geolocation=SITE | {"accuracy": 8},
        permissions=["geolocation"],
    )


def sign_in(context: Any, base: str, key: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login?next=/my-work")
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/my-work")
    return page


def shot(page: Any, artifacts_dir: Path, name: str, *, full_page: bool = False) -> None:
    """A screenshot; with VIGIL_DOCS_SCREENSHOTS=1 also the one in docs/img/field-service."""
    path = artifacts_dir / f"phone-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("VIGIL_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMG / f"phone-{name}.png")


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


def fits(page: Any) -> bool:
    """Nothing wider than the phone's screen (no sideways scrolling)."""
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def work_through(
    page: Any,
    artifacts_dir: Path,
    *,
    barcode: str,
    part: str,
    steps: int,
    engineer: str,
    shots: bool,
) -> tuple[str, str]:
    """On a work order's page: check in, tick every step, scan a part, a photo, notes, the
    customer's signature, resolve, check out. Returns the photo's and the signature's URLs."""
    # Check in: the time and the browser's position.
    page.click("#check-in")
    page.locator("#check-out").wait_for(state="visible", timeout=10_000)
    assert "47.37690, 8.54170" in page.locator("#visit-log").inner_text()

    # The steps of the suggested fix, ticked one by one (who and when shown).
    boxes = page.locator(".js-step")
    assert boxes.count() == steps
    for i in range(boxes.count()):
        boxes.nth(i).check()
        step_id = boxes.nth(i).get_attribute("data-step")
        page.locator(f"#step-who-{step_id}", has_text=engineer).wait_for()

    # A scanner types the barcode and Enter into the field.
    page.click("#part-code")
    page.keyboard.type(barcode)
    page.keyboard.press("Enter")
    page.locator("#parts-used li", has_text=part).wait_for(timeout=10_000)
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
    if shots:
        page.locator("#checklist").scroll_into_view_if_needed()
        shot(page, artifacts_dir, "visit")
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
    if shots:
        shot(page, artifacts_dir, "signature")
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
    if shots:
        page.locator("#acceptance").scroll_into_view_if_needed()
        shot(page, artifacts_dir, "resolved")
    return str(photo_url), str(signature_url)
