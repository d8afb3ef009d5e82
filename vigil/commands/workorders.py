"""``vigil work-orders list | show | resolve`` and ``vigil db upgrade``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from vigil import db
from vigil.cli import load_cli_settings
from workorders import browse, service
from workorders.errors import WorkOrderError
from workorders.models import AuditRead, Priority, ResolutionCode, Status, document
from workorders.webhooks import service as webhooks

work_orders_app = typer.Typer(help="Read and resolve work orders.", no_args_is_help=True)
db_app = typer.Typer(help="The work-order database.", no_args_is_help=True)


def fail(error: Exception) -> typer.Exit:
    typer.echo(f"vigil: {error}", err=True)
    return typer.Exit(2)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or migrate the schema to the latest revision (safe to run again)."""
    url = load_cli_settings(ctx).resolved_database_url
    db.upgrade(url)
    typer.echo(f"database at revision {db.current(url)}")


@work_orders_app.command("list")
def list_(
    ctx: typer.Context,
    status: Status | None = typer.Option(None, help="Only this status."),
    priority: Priority | None = typer.Option(None, help="Only this priority."),
    site: str | None = typer.Option(None, help="Only this site."),
    asset: str | None = typer.Option(None, help="Only this asset."),
    limit: int = typer.Option(50, min=1, max=500, help="At most this many."),
) -> None:
    """Work orders, oldest change first."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        page = browse.list_work_orders(
            session=session, status=status, priority=priority, site=site, asset=asset, limit=limit
        )
        table = Table(
            "number", "status", "priority", "site", "asset", "fault", "respond by", "updated"
        )
        for wo in page.items:
            table.add_row(
                wo.number,
                wo.status.value,
                wo.priority.value,
                wo.asset.site,
                wo.asset.asset,
                wo.fault_code,
                f"{wo.respond_by:%Y-%m-%d %H:%M}",
                f"{wo.updated_at:%Y-%m-%d %H:%M}",
            )
    Console().print(table)


@work_orders_app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Work-order number (WO-2026-000123) or id."),
) -> None:
    """The work-order document (JSON), its change log and its webhook deliveries."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            wo = service.get_work_order(session=session, ref=ref)
        except WorkOrderError as error:
            raise fail(error) from None
        out = {
            "document": document(wo).model_dump(mode="json"),
            "audit": [
                AuditRead.model_validate(a).model_dump(mode="json")
                for a in browse.audit_log(session=session, work_order_id=wo.id)
            ],
            "deliveries": [
                {
                    "id": str(d.id),
                    "event": d.event.event_type,
                    "status": d.status.value,
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                }
                for d in webhooks.list_deliveries(session=session, work_order_id=wo.id)
            ],
        }
    typer.echo(json.dumps(out, indent=2))


@work_orders_app.command("resolve")
def resolve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Work-order number (WO-2026-000123) or id."),
    code: ResolutionCode = typer.Option(..., help="The outcome."),
    notes: str | None = typer.Option(None, help="What was found and done."),
    no_acceptance_reason: str | None = typer.Option(
        None,
        help="A repair (confirmed_fault) needs the customer's signature from the engineer's "
        "visit, or this: why there is none.",
    ),
) -> None:
    """Record the outcome and resolve the work order (the same rules as the API)."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            wo = service.get_work_order(session=session, ref=ref)
            wo = service.record_resolution(
                session=session,
                work_order_id=wo.id,
                code=code,
                expected_version=None,
                actor="vigil command line",
                now=datetime.now(UTC),
                notes=notes,
                no_acceptance_reason=no_acceptance_reason,
            )
        except WorkOrderError as error:
            raise fail(error) from None
        session.commit()
        typer.echo(f"{wo.number} {wo.status.value}: {code.value}")


def register(app: typer.Typer) -> None:
    app.add_typer(work_orders_app, name="work-orders")
    app.add_typer(db_app, name="db")
