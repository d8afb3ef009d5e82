from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api import keys
from vigil.commands import keys as keys_command
from vigil.db import open_sessions


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        pass

    keys_command.register(app)
    return app


app = _app()


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def test_create_list_revoke(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIL_DATA_DIR", str(tmp_path))
    created = cli.invoke(app, ["keys", "create", "--role", "operator", "--name", "night shift"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("vgl_")

    factory = open_sessions(f"sqlite:///{tmp_path / 'vigil.db'}")
    with factory() as session:
        row = keys.authenticate(session=session, key=key)
        assert row is not None
        assert row.role == "operator"
        assert key not in (row.key_hash, row.id)

    listed = cli.invoke(app, ["keys", "list"])
    assert "night shift" in listed.stdout
    assert key not in listed.stdout

    revoked = cli.invoke(app, ["keys", "revoke", row.id])
    assert revoked.exit_code == 0
    with factory() as session:
        assert keys.authenticate(session=session, key=key) is None
    assert cli.invoke(app, ["keys", "revoke", "nope"]).exit_code == 1
    bad_role = cli.invoke(app, ["keys", "create", "--role", "root", "--name", "x"])
    assert bad_role.exit_code == 2
