"""``vigil requests raise | list``: the hotline's way in (a phone call typed in by the desk)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from customers.assets import find_asset
from customers.errors import RecordError
from customers.sites import find_site
from vigil import db
from vigil.cli import load_cli_settings
from workorders.requests import service
from workorders.requests.models import Category, Channel

requests_app = typer.Typer(help="Requests from every channel.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil requests: {message}", err=True)
    return typer.Exit(2)


@requests_app.command("raise")
def raise_(
    ctx: typer.Context,
    category: Category = typer.Option(..., help="emergency_repair, troubleshooting, ..."),
    description: str = typer.Option(..., help="What the caller says, in their words."),
    asset: str | None = typer.Option(None, help="The asset's name (as in MQTT topics)."),
    site: str | None = typer.Option(None, help="The site's code; alone: a request for the site."),
    channel: Channel = typer.Option(Channel.HOTLINE, help="hotline, email, inspection, ..."),
    fault_code: str | None = typer.Option(None, help="The problem if known, e.g. mechanical."),
    contact_name: str | None = typer.Option(None, help="Who called."),
    contact_phone: str | None = typer.Option(None, help="Their number."),
    by: str = typer.Option("cli", help="Who takes the request (kept on it)."),
) -> None:
    """Raise a request: prints the work order it opened or joined, its priority and why."""
    if asset is None and site is None:
        raise _fail("name the --asset or at least the --site")
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        site_row = find_site(session=session, code=site) if site else None
        if site and site_row is None:
            raise _fail(f"unknown site {site!r} (see vigil customers list)")
        asset_row = find_asset(session=session, asset=asset, site=site) if asset else None
        if asset and asset_row is None:
            raise _fail(f"unknown asset {asset!r}" + (f" at site {site!r}" if site else ""))
        try:
            raised = service.raise_request(
                session=session,
                data=service.RequestData(
                    channel=channel,
                    category=category,
                    description=description,
                    asset_id=asset_row.id if asset_row else None,
                    site_id=site_row.id if site_row and not asset_row else None,
                    fault_code=fault_code,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                ),
                actor=by,
                now=datetime.now(UTC),
            )
        except RecordError as error:
            raise _fail(str(error)) from None
        session.commit()
        wo, request = raised.work_order, raised.request
        typer.echo(
            f"{request.number} {request.outcome.value} {wo.number}: {wo.priority.value}"
            + (" (billable)" if request.billable else "")
        )
        for reason in request.reasons:
            typer.echo(f"  {reason}")


@requests_app.command("list")
def list_(ctx: typer.Context, limit: int = typer.Option(50, min=1, max=1000)) -> None:
    """Requests, newest first, with the work order each became or joined."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        table = Table(
            "number", "received", "channel", "category", "outcome", "priority", "work order"
        )
        for r in service.list_requests(session=session, limit=limit):
            table.add_row(
                r.number,
                f"{r.received_at:%Y-%m-%d %H:%M}",
                r.channel.value,
                r.category.value if r.category else "-",
                r.outcome.value,
                r.priority.value,
                str(r.work_order_id),
            )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(requests_app, name="requests")
