"""`vigil` commands run in-process for the command-line tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

# run("db", "upgrade") -> (exit code, stdout, stderr)
Run = Callable[..., tuple[int, str, str]]


def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *register: Callable[[typer.Typer], None]
) -> Run:
    """An app with only these command modules' commands (importing every command module would
    load the whole product), its data dir under ``tmp_path``, tables as wide as they need."""
    monkeypatch.setenv("VIGIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps tables at the terminal width
    app = typer.Typer()
    for add in register:
        add(app)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    return invoke
