"""docs/reports.md states every KPI's definition as the code and the API give it."""

from __future__ import annotations

from pathlib import Path

from reports.kpis import DEFINITIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def test_every_kpi_is_defined_in_the_docs_as_in_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [d.key for d in DEFINITIONS.values() if f"| `{d.key}` | {d.name} |" not in text]
    stale = [d.key for d in DEFINITIONS.values() if d.text not in text]
    assert (missing, stale) == ([], [])
