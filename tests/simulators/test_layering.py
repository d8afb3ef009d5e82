"""`simulators` talks to Vigil only through MQTT: it imports none of Vigil's packages."""

from __future__ import annotations

import ast
from pathlib import Path

import simulators

VIGIL_PACKAGES = {"ingest", "models", "alerts", "workorders", "api", "vigil"}


def test_simulators_import_nothing_from_vigil() -> None:
    root = Path(simulators.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in VIGIL_PACKAGES]
    assert offenders == []
    assert len(list(root.rglob("*.py"))) > 10  # the walk saw the package
