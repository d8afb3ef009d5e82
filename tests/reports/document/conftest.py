"""Fixtures of the report tests: the databases, an SMTP server, and the report of a small
service month (November 2026) written to a temporary directory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from reports.document import flows
from reports.document.config import Costs, ReportConfig
from reports.document.render import Written
from reports.kpis import parse_period
from tests.reports.document.builders import service_month
from tests.smtp import smtp_server  # noqa: F401  (fixture)
from tests.workorders.dbkit import Db, db, pg_engine, sqlite_template  # noqa: F401  (fixtures)

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
CONFIG = ReportConfig(
    costs=Costs(unplanned_failure=12_000, planned_repair=3_000, false_alarm_visit=400),
    targets={"first_time_fix": 0.9},
)


@pytest.fixture
def written(
    db: Db,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> Written:
    with db.factory() as session:
        service_month(session)
        session.commit()
    return flows.make(
        session_factory=db.factory,
        period=parse_period("2026-11"),
        directory=tmp_path / "out",
        now=NOW,
        config=CONFIG,
    )
