"""The dispatch board: server-rendered rows and stable ids; in Chromium, the button dispatches."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.roles import Role
from field import service
from field.flows import Scoring
from field.schemas import EngineerCreate
from tests.api.builders import make_keys, open_work_order
from tests.api.conftest import ApiWorld, build_world
from tests.api.live import serve
from tests.api.test_auth import sign_in
from tests.api.test_engineers_dispatch import _locate, engineer
from tests.field.fixtures import GRENOBLE, LYON, VILLEURBANNE
from vigil.db import upgrade
from workorders.db import make_engine, session_factory


def team(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        for code, base, extra in (
            ("near", VILLEURBANNE, {}),
            ("far", GRENOBLE, {}),
            ("chiller", LYON, {"skills": [{"asset_type": "chiller", "level": 3}]}),
        ):
            data = EngineerCreate.model_validate(engineer(code, base, **extra))
            service.create_engineer(session=session, data=data, now=datetime.now(UTC))
        session.commit()


def test_board_lists_open_work_with_top_suggestions_and_buttons_by_role(world: ApiWorld) -> None:
    world.app.state.scoring = Scoring(locate=_locate)
    team(world.factory)
    pump = open_work_order(world.factory, asset="pump-001")
    chiller = open_work_order(
        world.factory, asset="chiller-001", asset_type="chiller", site="plant-south"
    )
    sign_in(world, Role.operator)
    page = world.client.get("/dispatch").text
    assert f'id="dispatch-wo-{pump.number}"' in page
    assert f'id="suggest-{pump.number}-near"' in page
    assert f'id="dispatch-{pump.number}-near"' in page
    assert page.index(f'id="suggest-{pump.number}-near"') < page.index(
        f'id="suggest-{pump.number}-far"'
    )
    assert "no skill for pump / mechanical" in page
    # Only Chloé knows chillers; plant-south has no coordinates: said, not hidden.
    assert f'id="dispatch-{chiller.number}-chiller"' in page
    assert "the site has no coordinates: travel is not counted for anyone" in page
    fragment = world.client.get("/fragments/dispatch").text
    assert f'id="dispatch-wo-{pump.number}"' in fragment

    world.client.cookies.clear()
    sign_in(world, Role.viewer)
    read_only = world.client.get("/dispatch").text
    assert f'id="suggest-{pump.number}-near"' in read_only
    assert "js-dispatch" not in read_only


def test_nobody_qualified_is_shown_plainly(world: ApiWorld) -> None:
    wo = open_work_order(world.factory, asset="pump-001")
    sign_in(world, Role.operator)
    page = world.client.get("/dispatch").text
    assert (
        f'<p class="error" id="no-candidate-{wo.number}">no candidate: no engineer is registered</p>'
        in page
    )


@pytest.mark.browser
def test_dispatcher_clicks_dispatch_and_the_board_shows_the_engineer(
    tmp_path: Path, browser: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'vigil.db'}"
    upgrade(url)  # migrated: the SLA plans are seeded
    factory = session_factory(make_engine(url))
    app, _ = build_world(tmp_path, factory=factory)
    app.state.scoring = Scoring(locate=_locate)
    keys = make_keys(factory)
    team(factory)
    wo = open_work_order(factory, asset="pump-001")
    with serve(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login?next=/dispatch")
        page.fill("#key", keys[Role.operator])
        page.click("button[type=submit]")
        page.wait_for_url(base + "/dispatch")
        page.click(f"#dispatch-{wo.number}-near")
        assigned = page.locator(f"#assigned-{wo.number}")
        assigned.wait_for(timeout=10_000)
        assert "Dispatched to Near (near)" in assigned.inner_text()
        assert page.locator(f"#dispatch-{wo.number}-near").count() == 0
        page.close()
