"""Engineer scorecards through the API and on the engineer pages (SQLite and PostgreSQL): the
figures of tests/reports/test_scorecards.py, the configured weights, who may read what."""

from __future__ import annotations

import sqlalchemy as sa

from api import keys
from api.roles import Role
from field.models import Engineer
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.api.test_desk_pages import _sign_in
from tests.reports.kpi_fixture import build
from tests.reports.test_scorecards import add_engineers


def _ids(world: ApiWorld) -> dict[str, int]:
    with world.factory() as session:
        build(session)
        add_engineers(session)
        session.commit()
        return {e.code: e.id for e in session.scalars(sa.select(Engineer))}


def test_scorecards_through_the_api(world: ApiWorld) -> None:
    ids = _ids(world)
    viewer = auth(world.keys[Role.viewer])
    cards = world.client.get("/api/v1/scorecards", params={"period": "2026-11"}, headers=viewer)
    assert cards.status_code == 200, cards.text
    by_code = {c["code"]: c for c in cards.json()}
    assert (by_code["ana"]["stars"], by_code["ana"]["full_stars"]) == (3.5, 4)
    assert [p["stars"] for p in by_code["ben"]["parts"]] == [1, 1, 1, 5, 3]
    one = world.client.get(
        f"/api/v1/engineers/{ids['ana']}/scorecard", params={"period": "2026-11"}, headers=viewer
    ).json()
    assert [(p["part"], p["weight"], p["stars"]) for p in one["parts"]] == [
        ("first_time_fix", 30.0, 1),
        ("response", 25.0, 5),
        ("satisfaction", 25.0, 4),
        ("on_time", 15.0, 5),
        ("knowledge", 5.0, 4),
    ]
    bad = world.client.get("/api/v1/scorecards", params={"period": "2026-13"}, headers=viewer)
    assert bad.status_code == 422
    missing = world.client.get("/api/v1/engineers/999999/scorecard", headers=viewer)
    assert missing.status_code == 404
    # An engineer key reads its own engineer's scorecard only; a customer key none.
    with world.factory() as session:
        own = keys.create_key(
            session=session, name="ana", role=Role.engineer, engineer_id=ids["ana"]
        )
        session.commit()
    mine = world.client.get(
        f"/api/v1/engineers/{ids['ana']}/scorecard?period=2026-11", headers=auth(own.key)
    )
    assert mine.status_code == 200
    other = world.client.get(
        f"/api/v1/engineers/{ids['ben']}/scorecard?period=2026-11", headers=auth(own.key)
    )
    assert other.status_code == 404
    assert world.client.get("/api/v1/scorecards", headers=auth(own.key)).status_code == 403
    customer = auth(world.keys[Role.customer])
    assert (
        world.client.get(f"/api/v1/engineers/{ids['ana']}/scorecard", headers=customer).status_code
        == 404
    )


def test_engineer_pages_show_each_part_in_stars(world: ApiWorld) -> None:
    ids = _ids(world)
    _sign_in(world, world.keys[Role.dispatcher], "/engineers")
    listing = world.client.get("/engineers?period=2026-11").text
    assert 'id="scorecard-ana"' in listing
    assert 'aria-label="3.5 of 5 stars"' in listing
    page = world.client.get(f"/engineers/{ids['ben']}?period=2026-11")
    assert page.status_code == 200
    assert 'aria-label="1.7 of 5 stars"' in page.text
    assert "NPS -100" in page.text
    assert "38.5 h median" in page.text
    assert world.client.get("/engineers?period=nonsense").status_code == 422
    assert world.client.get("/engineers/999999").status_code == 404
