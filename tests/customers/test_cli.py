"""``vigil customers import``, ``vigil assets import``, ``vigil requests raise`` and ``vigil keys
create --role customer`` on a real SQLite database, as a newcomer types them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clikit import Run, cli
from tests.customers.test_records_docs import block
from vigil.commands import customers as customers_commands
from vigil.commands import keys as keys_commands
from vigil.commands import requests as requests_commands


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    return cli(
        tmp_path,
        monkeypatch,
        customers_commands.register,
        keys_commands.register,
        requests_commands.register,
    )


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
