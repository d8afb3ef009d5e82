"""``vigil plans`` on a real SQLite database: add, run, occurrences, upcoming, compliance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.clikit import Run, cli
from vigil import db
from vigil.commands import plans as plans_commands
from vigil.commands import workorders as workorders_commands
from workorders.assets import ensure_asset


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli(
        tmp_path,
        monkeypatch,
        plans_commands.register,
        workorders_commands.register,
    )


def test_a_plan_added_on_the_command_line_opens_its_work_on_the_next_run(
    run: Run, tmp_path: Path
) -> None:
    assert run("db", "upgrade")[0] == 0
    sessions = db.open_sessions(f"sqlite:///{tmp_path / 'data' / 'vigil.db'}")
    with sessions() as session:
        ensure_asset(session=session, site="plant", asset="pump-7", asset_type="pump",
                     now=datetime.now(UTC))  # fmt: skip
        session.commit()
    soon = (date.today() + timedelta(days=3)).isoformat()
    code, out, err = run("plans", "add", "--name", "Seal check", "--trigger", "calendar",
                         "--asset", "pump-7", "--every", "1", "--unit", "months",
                         "--start-on", soon, "--lead-days", "7", "--step", "Check the seal",
                         "--step", "Log the leak rate")  # fmt: skip
    assert code == 0, err
    assert "plan 1 'Seal check': every 1 months" in out
    assert "2. Log the leak rate" in out
    bad = run("plans", "add", "--name", "Zero", "--trigger", "running_hours", "--asset", "pump-7",
              "--interval-hours", "0")  # fmt: skip
    assert bad[0] == 2
    assert "interval_hours" in bad[2]
    code, out, err = run("plans", "run")
    assert code == 0, err
    assert out.startswith("created 1 WO-")
    assert run("plans", "run")[1].startswith("created 0")
    code, out, _ = run("plans", "occurrences")
    assert soon in out
    assert "open" in out
    code, out, _ = run("plans", "list")
    assert "Seal check" in out
    code, out, _ = run("plans", "upcoming")
    assert "plant/pump-7" in out
    today = date.today()
    code, out, _ = run("plans", "compliance", "--start", today.isoformat(),
                       "--end", (today + timedelta(days=30)).isoformat())  # fmt: skip
    assert code == 0
    assert "PM compliance -: 0 of 0 on time" in out
    assert run("plans", "deactivate", "1")[0] == 0
    assert run("plans", "deactivate", "9")[0] == 2
