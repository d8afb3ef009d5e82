"""DESIGN.md's layering: each package imports only packages below it in this order, and
`simulators` none of Vigil's. What a lower layer needs from a higher one it receives as an
argument; an upward import, even inside a function, makes the layers one tangle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Top to bottom, as in DESIGN.md "Layout".
ORDER = [
    "vigil", "api", "reports", "planning", "followup", "field", "knowledge",
    "alerts", "workorders", "customers", "notify", "models", "ingest",
]  # fmt: skip


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_every_package_imports_only_downward() -> None:
    upward = []
    seen = 0
    for rank, package in enumerate(ORDER):
        above = set(ORDER[:rank])
        for path in sorted((ROOT / package).rglob("*.py")) if (ROOT / package).is_dir() else []:
            seen += 1
            for name in sorted(imported_packages(path) & above):
                upward.append(f"{path.relative_to(ROOT)} imports {name}")
    assert upward == []
    assert seen > 50  # the walk saw the packages


def test_simulators_import_nothing_of_vigil() -> None:
    paths = sorted((ROOT / "simulators").rglob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        for name in sorted(imported_packages(path) & set(ORDER))
    ]
    assert offenders == []
    assert len(paths) > 10
