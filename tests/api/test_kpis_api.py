"""``/api/v1/kpis`` and ``/api/v1/kpis/trend``: the module's figures as JSON, clear 422s for a bad
period or breakdown, staff only; and the KPIs page renders them graded."""

from __future__ import annotations

from collections.abc import Generator
from types import SimpleNamespace
from typing import cast

import pytest
import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.orm import Session

from api.deps import get_read_db
from api.roles import Role
from api.routers.kpis import KpiReportRead
from reports.kpis import Dimension, compute, parse_period
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.reports.kpi_fixture import NOW, build
from workorders.db import make_engine


@pytest.fixture
def kpi_world(world: ApiWorld) -> ApiWorld:
    with world.factory() as session:
        build(session)
        session.commit()
    return world


def test_the_api_gives_the_modules_figures(kpi_world: ApiWorld) -> None:
    w = kpi_world
    viewer = auth(w.keys[Role.viewer])
    got = w.client.get("/api/v1/kpis?period=2026-11&breakdown=engineer", headers=viewer)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["period"] == {
        "label": "2026-11",
        "kind": "month",
        "start": "2026-11-01T00:00:00Z",
        "end": "2026-12-01T00:00:00Z",
    }
    assert body["kpis"]["created"]["value"] == 6
    assert body["kpis"]["csat"]["value"] == pytest.approx(11 / 3)
    assert body["kpis"]["nps"]["detail"] == {"promoters": 1, "detractors": 1}
    assert "business time" in body["kpis"]["sla_respond"]["definition"]
    assert [g["key"] for g in body["groups"]] == ["ana", "ben", "(not set)"]
    assert (body["total_groups"], body["limit"], body["offset"], body["next_offset"]) == (
        3,
        100,
        0,
        None,
    )
    # The same figures as the module computes (the API's clock is the module's default).
    with w.factory() as session:
        direct = compute(
            session=session, period=parse_period("2026-11"), breakdown=Dimension.ENGINEER
        ).as_dict()
    assert body["kpis"]["first_time_fix"] == direct["kpis"]["first_time_fix"]
    mine, theirs = body["groups"][0]["kpis"]["resolved"], direct["groups"][0]["kpis"]["resolved"]
    assert (mine["value"], mine["grade"]) == (theirs["value"], theirs["grade"])
    # The route writes its JSON itself (for speed): the body still has the documented shape.
    assert KpiReportRead.model_validate(body).model_dump(mode="json")["groups"][2]["key"] == (
        "(not set)"
    )


def test_ranges_filters_and_the_trend(kpi_world: ApiWorld) -> None:
    w = kpi_world
    viewer = auth(w.keys[Role.viewer])
    week = w.client.get("/api/v1/kpis?from=2026-11-02&to=2026-11-08", headers=viewer).json()
    assert week["period"]["label"] == "2026-11-02..2026-11-08"
    assert week["kpis"]["created"]["value"] == 1
    acme = w.client.get("/api/v1/kpis?period=2026Q4&customer=ACME", headers=viewer).json()
    assert acme["filters"] == {"customer": "ACME"}
    assert acme["kpis"]["created"]["value"] == 3  # W1, W3, W6
    trend = w.client.get("/api/v1/kpis/trend?until=2026-11&months=3", headers=viewer).json()
    assert [m["period"]["label"] for m in trend["months"]] == ["2026-09", "2026-10", "2026-11"]
    assert [m["kpis"]["created"]["value"] for m in trend["months"]] == [0, 1, 6]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2026-13", "no such month"),
        ("period=November", "2026Q4"),
        ("period=2026-11&from=2026-11-01&to=2026-11-02", "not both"),
        ("from=2026-11-09&to=2026-11-01", "before it starts"),
        ("from=2026-11-09", "both from and to"),
        ("from=2020-01-01&to=2026-01-01", "at most"),
        ("period=2026-11&breakdown=planet", "region"),
        ("period=2026-11&breakdown=site&limit=0", "greater than or equal to 1"),
        ("period=2026-11&breakdown=site&limit=1001", "less than or equal to 1000"),
        ("period=2026-11&breakdown=site&offset=-1", "greater than or equal to 0"),
        ("period=2026-11&breakdown=site&limit=ten", "valid integer"),
        ("period=2026-11&breakdown=site&sort=speed", "first_time_fix"),
        ("period=2026-11&breakdown=site&sort=--created", "sort must be"),
    ],
)
def test_a_bad_period_or_breakdown_is_a_422_that_says_why(
    kpi_world: ApiWorld, query: str, message: str
) -> None:
    got = kpi_world.client.get(f"/api/v1/kpis?{query}", headers=auth(kpi_world.keys[Role.viewer]))
    assert got.status_code == 422
    assert message in got.text


def test_the_groups_come_a_page_at_a_time(kpi_world: ApiWorld) -> None:
    w = kpi_world
    viewer = auth(w.keys[Role.viewer])
    url = "/api/v1/kpis?period=2026-11&breakdown=engineer"
    whole = w.client.get(url, headers=viewer).json()
    first = w.client.get(f"{url}&limit=2", headers=viewer).json()
    assert [g["key"] for g in first["groups"]] == ["ana", "ben"]
    assert (first["total_groups"], first["next_offset"]) == (3, 2)
    # The total is the whole scope's on every page (asset time aside: November is running,
    # so the hours in service grow between calls).
    clock = {"availability", "mtbf_h"}
    assert {k: v for k, v in first["kpis"].items() if k not in clock} == {
        k: v for k, v in whole["kpis"].items() if k not in clock
    }
    rest = w.client.get(f"{url}&limit=2&offset={first['next_offset']}", headers=viewer).json()
    assert [g["key"] for g in rest["groups"]] == ["(not set)"]
    assert rest["next_offset"] is None
    assert rest["groups"][0]["kpis"]["created"] == whole["groups"][2]["kpis"]["created"]
    busiest = w.client.get(f"{url}&sort=-resolved&limit=1", headers=viewer).json()
    assert [(g["key"], g["kpis"]["resolved"]["value"]) for g in busiest["groups"]] == [("ana", 3)]
    assert busiest["sort"] == "-resolved"
    KpiReportRead.model_validate(busiest)
    past = w.client.get(f"{url}&offset=10", headers=viewer).json()
    assert (past["groups"], past["total_groups"], past["next_offset"]) == ([], 3, None)


def test_a_kpi_read_does_not_hold_writers_back(kpi_world: ApiWorld) -> None:
    """The KPI routes read in a transaction that takes no lock on SQLite (a real file, WAL): a
    write commits while it is open; an ordinary transaction that had read the same would have
    held the write lock. On PostgreSQL the transaction refuses writes."""
    w = kpi_world
    request = cast(Request, SimpleNamespace(app=w.app))
    reading = cast(Generator[Session, None, None], get_read_db(request))
    session = next(reading)
    period = parse_period("2026-11")
    before = compute(session=session, period=period, breakdown=Dimension.SITE, now=NOW)
    touch = sa.text("UPDATE work_orders SET fault_title = fault_title || '.'")
    bind = session.get_bind()
    assert isinstance(bind, sa.Engine)
    writer = (
        make_engine(bind.url.render_as_string(hide_password=False), sqlite_busy_ms=200)
        if bind.dialect.name == "sqlite"
        else bind
    )
    try:
        with Session(writer) as other:
            other.execute(touch)
            other.commit()  # not kept waiting by the read
        assert compute(session=session, period=period, breakdown=Dimension.SITE, now=NOW) == before
        if bind.dialect.name == "sqlite":
            with w.factory() as ordinary, Session(writer) as other:
                compute(session=ordinary, period=period, now=NOW)
                with pytest.raises(sa.exc.OperationalError, match="database is locked"):
                    other.execute(touch)
        else:
            with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
                session.execute(touch)
    finally:
        reading.close()
        if writer is not bind:
            writer.dispose()


def test_staff_only(kpi_world: ApiWorld) -> None:
    for role in (Role.customer, Role.engineer):
        got = kpi_world.client.get("/api/v1/kpis", headers=auth(kpi_world.keys[role]))
        assert got.status_code == 403
    assert kpi_world.client.get("/api/v1/kpis").status_code == 401


def test_the_page_shows_graded_figures_and_the_breakdown(kpi_world: ApiWorld) -> None:
    w = kpi_world
    w.client.post("/login", data={"key": w.keys[Role.viewer], "next": "/kpis"})
    page = w.client.get("/kpis?period=2026-11&breakdown=asset_type")
    assert page.status_code == 200
    html = page.text
    assert 'data-kpi="response_median_h"' in html
    assert "grade-acceptable" in html or "grade-to_improve" in html or "grade-excellent" in html
    assert '<tr data-group="pump">' in html
    assert 'data-until="2026-11"' in html
    bad = w.client.get("/kpis?period=soon")
    assert bad.status_code == 200
    assert "period must be" in bad.text
