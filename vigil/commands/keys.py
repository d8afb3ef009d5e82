"""``vigil keys create | list | revoke``: API keys, shown once, stored as hashes."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from api import keys
from api.roles import Role
from vigil.cli import load_cli_settings
from vigil.db import open_sessions

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


def _sessions(ctx: typer.Context) -> sessionmaker[Session]:
    settings = load_cli_settings(ctx)
    return open_sessions(settings.resolved_database_url)


@keys_app.command("create")
def create(
    ctx: typer.Context,
    role: Role = typer.Option(..., "--role", help=", ".join(r.value for r in Role)),
    name: str = typer.Option(..., "--name", help="Who or what uses the key, e.g. ticketing-prod"),
    customer: int | None = typer.Option(
        None, "--customer", help="The customer a customer key sees (id, see vigil customers list)"
    ),
    engineer: int | None = typer.Option(
        None,
        "--engineer",
        help="The engineer an engineer key acts as (id, see vigil engineers list)",
    ),
) -> None:
    """Create a key and print it. It is shown only this once; Vigil keeps only its hash."""
    factory = _sessions(ctx)
    with factory() as session:
        try:
            created = keys.create_key(
                session=session, name=name, role=role, customer_id=customer, engineer_id=engineer
            )
        except ValueError as error:
            typer.echo(f"vigil keys: {error}", err=True)
            raise typer.Exit(2) from None
        session.commit()
    typer.echo(
        f"created key {created.row.id} ({role.value}) for {name!r}; store it now, it is not shown again:",
        err=True,
    )
    typer.echo(created.key)


@keys_app.command("list")
def list_(
    ctx: typer.Context,
    include_revoked: bool = typer.Option(False, "--all", help="Show revoked keys too."),
) -> None:
    """List keys (ids, names, roles, dates), never the keys themselves."""
    factory = _sessions(ctx)
    with factory() as session:
        rows = keys.list_keys(session=session, include_revoked=include_revoked)
    table = Table("id", "name", "role", "created", "last used", "revoked")
    for row in rows:
        table.add_row(
            row.id,
            row.name,
            row.role,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "-",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "-",
        )
    Console().print(table)


@keys_app.command("revoke")
def revoke(
    ctx: typer.Context, key_id: str = typer.Argument(..., help="The key's id (see list)")
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    factory = _sessions(ctx)
    with factory() as session:
        try:
            row = keys.revoke_key(session=session, key_id=key_id)
        except keys.KeyNotFound as error:
            typer.echo(f"vigil keys: {error}", err=True)
            raise typer.Exit(1) from None
        session.commit()
    typer.echo(f"revoked key {row.id} ({row.name})")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
