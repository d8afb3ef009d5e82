"""The engineer's phone view in a real headless Chromium at a phone's viewport: the engineer
checks in (with the browser's position), ticks the steps, scans a part, uploads a photo, the
customer signs with a finger, and the work order is resolved; the stock went down by the part,
and the photo and signature are served back only to those who may see them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.roles import Role
from field import flows
from field.stock import queries
from field.visits.models import Visit
from ingest.store.sqlite import SqliteStore
from tests.api.builders import Fleet, auth, decision
from tests.api.conftest import build_world
from tests.api.live import serve
from tests.api.phone_flow import fits, phone, photo_png, shot, sign_in, work_through
from tests.field.visits.builders import BARCODE, STEPS, build_visit_world
from workorders import from_alerts
from workorders import service as workorders
from workorders.db import make_engine, session_factory
from workorders.models import ResolutionCode, Status

pytestmark = pytest.mark.browser


def _setup(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as session:
        world = build_visit_world(session)
        # A second job at the same site, so the list shows its route order.
        second = from_alerts.open_for_alert(
            session=session,
            decision=decision("pump-2", site="plant-a", fault_code="process", score=3.5),
            now=datetime.now(UTC),
        ).work_order
        flows.dispatch(
            session=session,
            work_order_id=second.id,
            engineer_id=world.engineer_id,
            actor="desk",
            now=datetime.now(UTC),
        )
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
        page = sign_in(phone(browser), base, made["ana"])

        # Today's tasks, in route order with the SLA deadlines.
        assert page.locator("#my-work .task").count() == 2
        task = page.locator(f"#task-{number}")
        assert task.get_attribute("data-order") == "1"  # most urgent of two at the same site
        assert "pump-1" in task.inner_text()
        assert "on site by" in task.inner_text()
        assert fits(page)
        shot(page, artifacts_dir, "tasks", full_page=True)
        task.locator("a").click()
        page.wait_for_url(f"{base}/my-work/{number}")
        assert "fails in" in page.locator("#predicted-failure").inner_text()
        assert "vibration_rms" in page.locator("#contributing").inner_text()
        assert "SKF-6205" in page.locator("#suggested-parts").inner_text()
        assert "Worn drive-end bearing" in page.locator("#fixes").inner_text()
        assert fits(page)
        shot(page, artifacts_dir, "work-order")

        photo_url, signature_url = work_through(
            page,
            artifacts_dir,
            barcode=BARCODE,
            part="SKF-6205",
            steps=len(STEPS),
            engineer="Ana",
            shots=True,
        )

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
        other = sign_in(phone(browser), base, made["ben"])
        assert other.locator(f"#task-{number}").count() == 0
        assert other.goto(f"{base}/my-work/{number}").status == 404
    store.close()
    parts["quarantine"].close()  # type: ignore[attr-defined]
