"""Every benchmark runs as its docstring says, `python bench/NAME.py` from the repository root.

Run that way, Python puts bench/ first on the import path, where bench/ingest.py would shadow the
`ingest` package (as it did for bench/latency.py). `--help` imports everything a script imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each script imports most of Vigil and its libraries

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name != "__init__.py")


def test_every_benchmark_is_listed() -> None:
    assert {"api.py", "ingest.py", "latency.py", "quality.py", "reports.py", "scoring.py"} <= set(
        SCRIPTS
    )


@pytest.mark.parametrize("name", SCRIPTS)
def test_runs_as_python_bench_script(name: str) -> None:
    result = subprocess.run(
        [sys.executable, f"bench/{name}", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout


def test_reports_bench_runs_small() -> None:
    """bench/reports.py end to end on a small history: its last line is the documented JSON."""
    result = subprocess.run(
        [sys.executable, "bench/reports.py", "--assets", "60", "--months", "2", "--runs", "4",
         "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(last) == {"assets", "work_orders", "report_s", "kpi_p95_ms"}
    assert last["assets"] == 60
    assert last["work_orders"] > 0
    assert last["report_s"] > 0
    assert last["kpi_p95_ms"] > 0
