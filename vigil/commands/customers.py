"""``vigil customers import | list | tier`` and ``vigil assets import | list``: the records the
service desk works with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from customers import assets, service
from customers.errors import RecordError
from customers.importing import (
    ASSET_COLUMNS,
    CUSTOMER_COLUMNS,
    Imported,
    ImportRefused,
    import_assets,
    import_customers,
)
from customers.models import Tier
from vigil import db
from vigil.cli import load_cli_settings

customers_app = typer.Typer(help="Customers, their sites and contacts.", no_args_is_help=True)
assets_app = typer.Typer(
    help="Asset records (site, model, serial, criticality).", no_args_is_help=True
)
# Files longer than this show a progress bar while they are checked and applied.
_PROGRESS_FROM = 200


def _fail(what: str, message: str) -> typer.Exit:
    typer.echo(f"vigil {what}: {message}", err=True)
    return typer.Exit(2)


def _import(
    ctx: typer.Context,
    file: Path,
    what: str,
    run: Callable[..., Imported],
) -> None:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as unreadable:
        raise _fail(what, f"cannot read {file}: {unreadable.strerror}") from None
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    lines = text.count("\n")
    with sessions() as session, Progress(disable=lines < _PROGRESS_FROM, transient=True) as bar:
        task = bar.add_task(f"checking {file.name}", total=max(lines - 1, 1))
        try:
            done = run(
                session=session,
                text=text,
                now=datetime.now(UTC),
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        except ImportRefused as refused:
            session.rollback()
            for error in refused.errors:
                typer.echo(f"{file}: {error}", err=True)
            raise _fail(what, f"{refused}; fix the lines above and import the file again") from None
        session.commit()
    typer.echo(f"imported {file}: {done.lines} line(s), {done.created} new, {done.updated} updated")


@customers_app.command("import")
def import_customers_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=f"CSV with a header line: {','.join(CUSTOMER_COLUMNS)}"),
) -> None:
    """Import customers with their sites and contacts: all lines, or none when one is bad."""
    _import(ctx, file, "customers", import_customers)


@customers_app.command("list")
def list_customers(ctx: typer.Context) -> None:
    """Customers with their tier, sites and contacts."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        table = Table("id", "name", "tier", "set by", "sites", "contacts")
        for c in service.list_customers(session=session):
            table.add_row(
                str(c.id),
                c.name,
                c.tier.value,
                f"{c.tier_set_by} {c.tier_set_at:%Y-%m-%d}",
                ", ".join(s.code for s in c.sites) or "-",
                ", ".join(p.name for p in c.contacts) or "-",
            )
    Console().print(table)


@customers_app.command("tier")
def set_tier(
    ctx: typer.Context,
    customer_id: int = typer.Argument(..., help="The customer's id (see vigil customers list)."),
    tier: Tier = typer.Argument(..., help="vip, standard or basic"),
    reason: str | None = typer.Option(None, help="Why (kept in the tier history)."),
    by: str = typer.Option("cli", help="Who sets it (kept in the tier history)."),
) -> None:
    """Set a customer's tier; its history keeps who, when and why."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            row = service.set_tier(
                session=session,
                customer_id=customer_id,
                tier=tier,
                actor=by,
                now=datetime.now(UTC),
                reason=reason,
            )
        except RecordError as error:
            raise _fail("customers", str(error)) from None
        session.commit()
        typer.echo(f"customer {row.id} ({row.name}) is {row.tier.value}")


@assets_app.command("import")
def import_assets_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=f"CSV with a header line: {','.join(ASSET_COLUMNS)}"),
) -> None:
    """Import asset records (new ones, or completing those seen on the wire): all or none."""
    _import(ctx, file, "assets", import_assets)


@assets_app.command("list")
def list_assets(
    ctx: typer.Context, customer: int | None = typer.Option(None, help="Only this customer's.")
) -> None:
    """Asset records with their site, customer, serial number and criticality."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        _asset_table(session, customer)


def _asset_table(session: Session, customer: int | None) -> None:
    table = Table("id", "site", "asset", "type", "customer", "tier", "serial", "criticality")
    for a in assets.list_assets(session=session, customer_id=customer):
        table.add_row(
            str(a.id),
            a.site,
            a.asset,
            a.asset_type,
            a.customer,
            a.tier.value,
            a.serial_number or "-",
            a.criticality.value,
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.add_typer(assets_app, name="assets")
