"""`vigil report` as a newcomer runs it: from a directory of their own, with the defaults (the
output lands under the current directory and its path is printed), and clear refusals."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.reports.document.builders import service_month
from vigil import db
from vigil.cli import app
from vigil.commands import report
from workorders.db import make_engine, session_factory


def vigil(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigil", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "VIGIL_DATA_DIR": str(cwd / "var"), "COLUMNS": "200"},
        timeout=180,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'var' / 'vigil.db'}"
    (tmp_path / "var").mkdir()
    db.upgrade(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        service_month(session)
        session.commit()
    engine.dispose()
    return tmp_path


def test_month_and_quarter_reports_land_under_the_current_directory(workdir: Path) -> None:
    month = vigil(workdir, "report", "2026-11")
    assert month.returncode == 0, month.stderr
    html = workdir / "vigil-report-2026-11" / "report.html"
    assert month.stdout.strip() == str(html)
    assert "Monthly service report 2026-11" in html.read_text()
    with (workdir / "vigil-report-2026-11" / "01-kpis.csv").open() as f:
        kpis = {row["key"]: row for row in csv.DictReader(f)}
    assert kpis["created"]["value"] == "6"

    quarter = vigil(workdir, "report", "--quarter", "2026Q4", "--out", "q4")
    assert quarter.returncode == 0, quarter.stderr
    assert quarter.stdout.strip() == str(workdir / "q4" / "report.html")
    assert "Quarterly service report 2026Q4" in (workdir / "q4" / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-13",), "no such month: 2026-13"),
        (("November",), "period must be a month (2026-11)"),
        (("--quarter", "2026-11"), "expected a quarter such as 2026Q4"),
        (("2026Q4",), "expected a month such as 2026-11"),
        (("2026-11", "--quarter", "2026Q4"), "one of them"),
        ((), "one of them"),
    ],
)
def test_bad_periods_are_refused_with_a_message(args: tuple[str, ...], message: str) -> None:
    # In process: the refusal comes before any setting or database is read.
    report.register(app)
    result = CliRunner().invoke(app, ["report", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_target_that_is_no_kpi_is_refused(tmp_path: Path) -> None:
    report.register(app)
    result = CliRunner().invoke(
        app,
        ["report", "2026-11"],
        env={"VIGIL_DATA_DIR": str(tmp_path), "VIGIL_REPORT_TARGETS": '{"first_fix": 0.9}'},
    )
    assert result.exit_code == 2
    assert "VIGIL_REPORT_TARGETS: no KPI named first_fix; the KPIs are created" in result.stderr
