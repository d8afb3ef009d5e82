"""The report made from the generated service history (`simulators.history`, loaded as `vigil
history load` does): it opens in Chromium with no external request and every chart drawn, and its
CSV files hold the figures the KPI API returns for the same period. Its section screenshots are
the ones docs/reports.md shows (VIGIL_DOCS_SCREENSHOTS=1)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.roles import Role
from reports.document import flows
from reports.document.config import ReportConfig
from reports.document.render import Written
from reports.kpis import Period, month_period
from simulators.history import add_months, generate, write
from tests.api.builders import auth, make_keys
from tests.api.conftest import build_world
from tests.reports.document.test_report_browser import check_report
from vigil.db import upgrade
from vigil.history.loader import load
from workorders.db import make_engine, session_factory

pytestmark = pytest.mark.browser


class History:
    def __init__(self, root: Path) -> None:
        # Whole months only, ending before today: the API (its clock) and the report agree.
        self.end = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        last = add_months(self.end, -1)
        self.period: Period = month_period(last.year, last.month)
        self.root = root
        url = f"sqlite:///{root / 'vigil.db'}"
        upgrade(url)
        self.factory: sessionmaker[Session] = session_factory(make_engine(url))
        files = write(generate(months=6, assets=240, seed=7, end=self.end), root / "history")
        with self.factory() as session:
            load(session=session, directory=files, now=self.end, progress=lambda *_: None)
            session.commit()
        self.written: Written = flows.make(
            session_factory=self.factory,
            period=self.period,
            directory=root / "report",
            now=datetime.now(UTC),
            config=ReportConfig(),
        )

    def csv(self, slug: str) -> list[dict[str, str]]:
        [path] = [p for p in self.written.csvs if p.name.split("-", 1)[1] == f"{slug}.csv"]
        with path.open(newline="") as f:
            return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return History(tmp_path_factory.mktemp("history-report"))


def number(text: str) -> float | None:
    return float(text) if text != "" else None


def test_history_report_opens_offline_with_every_chart_drawn(
    history: History,
    browser: Any,
    artifacts_dir: Path,
) -> None:
    slugs = check_report(browser, history.written, artifacts_dir, "history", docs=True)
    assert len(slugs) == 10


def test_history_report_csvs_hold_the_kpi_apis_figures(history: History) -> None:
    app, _ = build_world(history.root, factory=history.factory)
    key = make_keys(history.factory)[Role.service_manager]
    label = history.period.label
    with TestClient(app) as client:

        def api(**params: str) -> dict[str, Any]:
            response = client.get("/api/v1/kpis", params=params, headers=auth(key))
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

        current = api(period=label)["kpis"]
        previous = api(period=history.period.previous().label)["kpis"]
        table = {row["key"]: row for row in history.csv("kpis")}
        assert set(table) == set(current)
        for key_, kpi in current.items():
            assert number(table[key_]["value"]) == kpi["value"], key_
            assert number(table[key_]["previous"]) == previous[key_]["value"], key_
        assert current["created"]["value"] > 20  # a real month of work, not an empty report

        for dimension, slug, name in (
            ("engineer", "engineers", "engineer"),
            ("region", "regions", "region"),
        ):
            groups = {g["key"]: g["kpis"] for g in api(period=label, breakdown=dimension)["groups"]}
            rows = {row[name]: row for row in history.csv(slug)}
            assert set(rows) == set(groups), slug
            for group, kpis in groups.items():
                for column in ("created", "response_median_h", "first_time_fix", "csat", "nps"):
                    assert number(rows[group][column]) == kpis[column]["value"], (group, column)

        parts = {row["part_number"]: row for row in history.csv("parts-consumed")}
        assert parts
        for part, units in current["parts_units"]["detail"].items():
            assert number(parts[part]["units"]) == units, part

        months = client.get(
            "/api/v1/kpis/trend", params={"until": label, "months": "6"}, headers=auth(key)
        ).json()["months"]
        trend = history.csv("satisfaction-trend")
        assert [row["period"] for row in trend] == [m["period"]["label"] for m in months]
        for row, month in zip(trend, months, strict=True):
            assert number(row["csat"]) == month["kpis"]["csat"]["value"]
            assert number(row["nps"]) == month["kpis"]["nps"]["value"]
