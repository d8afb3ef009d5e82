"""The report made from the generated service history (`simulators.history`, loaded as `vigil
history load` does): it opens in Chromium with no external request and every chart drawn. Its
section screenshots are the ones docs/reports.md shows (VIGIL_DOCS_SCREENSHOTS=1)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from reports.document import flows
from reports.document.config import ReportConfig
from reports.document.render import Written
from reports.kpis import Period, month_period
from simulators.history import add_months, generate, write
from tests.reports.document.test_report_browser import browser, check_report  # noqa: F401
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
    browser: Any,  # noqa: F811
    artifacts_dir: Path,
) -> None:
    slugs = check_report(browser, history.written, artifacts_dir, "history", docs=True)
    assert len(slugs) == 9
