"""``vigil customers import``, ``vigil assets import``, ``vigil requests raise`` and ``vigil keys
create --role customer`` on a real SQLite database, as a newcomer types them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.customers.test_records_docs import block
from vigil.commands import customers as customers_commands
from vigil.commands import keys as keys_commands
from vigil.commands import requests as requests_commands

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("VIGIL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "250")
    app = typer.Typer()
    for module in (customers_commands, keys_commands, requests_commands):
        module.register(app)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_imports_refuse_bad_files_whole_then_requests_and_keys(run: Run, tmp_path: Path) -> None:
    for name in ("customers", "assets", "assets-bad"):
        (tmp_path / f"{name}.csv").write_text(block(name))
    code, out, err = run("customers", "import", str(tmp_path / "customers.csv"))
    assert (code, err) == (0, ""), err
    assert "3 line(s), 2 new, 1 updated" in out
    assert run("assets", "import", str(tmp_path / "assets.csv"))[0] == 0
    code, out, err = run("assets", "import", str(tmp_path / "assets-bad.csv"))
    assert code == 2
    for line in block("assets-bad-errors").splitlines():
        assert line in err
    assert "4 bad line(s), nothing imported" in err
    code, out, _ = run("assets", "list")
    assert "pump-003" not in out
    assert "KSB-2019-004417" in out
    code, out, err = run(
        "requests", "raise", "--asset", "pump-002", "--site", "acme-north",
        "--category", "troubleshooting", "--description", "water leak at the seal",
        "--contact-name", "night guard",
    )  # fmt: skip
    assert code == 0, err
    assert "created WO-" in out
    assert "urgent (billable)" in out
    assert "rule 'safety words' (words: leak) -> urgent" in out
    code, out, err = run("requests", "raise", "--asset", "nope", "--category", "consultation",
                         "--description", "x")  # fmt: skip
    assert code == 2
    assert "unknown asset 'nope'" in err
    code, out, err = run("keys", "create", "--role", "customer", "--name", "acme portal")
    assert code == 2
    assert "--customer ID" in err
    code, out, err = run(
        "keys", "create", "--role", "customer", "--name", "acme portal", "--customer", "1"
    )
    assert code == 0, err
    assert out.startswith("vgl_")
