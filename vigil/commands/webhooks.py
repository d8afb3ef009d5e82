"""``vigil webhooks add | list | rotate-secret | remove | deliveries | replay``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from vigil import db
from vigil.cli import load_cli_settings
from vigil.commands.workorders import fail
from workorders.errors import WorkOrderError
from workorders.webhooks import service
from workorders.webhooks.models import EVENT_TYPES, DeliveryStatus

webhooks_app = typer.Typer(help="Webhook receivers and the delivery log.", no_args_is_help=True)


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise fail(ValueError(f"not a {what} id: {value!r}")) from None


@webhooks_app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="Receiver URL, http(s)://..."),
    event: list[str] = typer.Option(
        ["*"],
        "--event",
        help=f"Event type to send ({', '.join(EVENT_TYPES)}), repeatable; default all.",
    ),
    secret: str | None = typer.Option(
        None, help="Signing secret (16+ characters); generated if omitted."
    ),
    description: str = typer.Option("", help="Who receives, e.g. 'ServiceNow prod'."),
    connector: str | None = typer.Option(
        None,
        help="Deliver through a ticketing connector instead of a POST: 'rt' (Request Tracker; "
        "URL is RT's base URL, credentials from VIGIL_RT_*).",
    ),
) -> None:
    """Register a receiver. Prints its id and signing secret (shown only now)."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            sub = service.add_subscription(
                session=session,
                url=url,
                event_types=event,
                secret=secret,
                description=description,
                connector=connector,
                now=datetime.now(UTC),
            )
        except WorkOrderError as error:
            raise fail(error) from None
        session.commit()
        typer.echo(f"subscription {sub.id} for {sub.url}; signing secret (store it now):", err=True)
        typer.echo(sub.secret)


@webhooks_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Registered receivers (never their secrets)."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    table = Table("id", "url", "events", "description", "created")
    with sessions() as session:
        for sub in service.list_subscriptions(session=session):
            table.add_row(
                str(sub.id),
                sub.url,
                ",".join(sub.event_types),
                sub.description,
                f"{sub.created_at:%Y-%m-%d %H:%M}",
            )
    Console().print(table)


@webhooks_app.command("rotate-secret")
def rotate_secret(
    ctx: typer.Context,
    subscription_id: str = typer.Argument(..., help="Subscription id."),
    secret: str | None = typer.Option(None, help="The new secret; generated if omitted."),
    overlap_s: float = typer.Option(
        service.ROTATION_OVERLAP.total_seconds(),
        min=0,
        help="Seconds the old secret keeps signing beside the new one.",
    ),
) -> None:
    """Replace a receiver's signing secret. Prints the new secret (shown only now)."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            sub = service.rotate_secret(
                session=session,
                subscription_id=_uuid(subscription_id, "subscription"),
                secret=secret,
                overlap=timedelta(seconds=overlap_s),
                now=datetime.now(UTC),
            )
        except WorkOrderError as error:
            raise fail(error) from None
        session.commit()
        until = sub.previous_secret_until
        typer.echo(f"old secret valid until {until:%Y-%m-%d %H:%M:%S} UTC; new secret:", err=True)
        typer.echo(sub.secret)


@webhooks_app.command("remove")
def remove(
    ctx: typer.Context, subscription_id: str = typer.Argument(..., help="Subscription id.")
) -> None:
    """Remove a receiver and its pending deliveries."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            service.remove_subscription(
                session=session, subscription_id=_uuid(subscription_id, "subscription")
            )
        except WorkOrderError as error:
            raise fail(error) from None
        session.commit()
    typer.echo(f"removed {subscription_id}")


@webhooks_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    status: DeliveryStatus | None = typer.Option(None, help="pending, delivered or dead."),
    work_order: str | None = typer.Option(None, help="Only this work order (id or number)."),
    limit: int = typer.Option(50, min=1, max=1000),
) -> None:
    """The delivery log, newest first."""
    from workorders import service as workorders

    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    table = Table(
        "delivery", "event", "work order", "status", "attempts", "next attempt", "last error"
    )
    with sessions() as session:
        try:
            wo_id = (
                workorders.get_work_order(session=session, ref=work_order).id
                if work_order
                else None
            )
        except WorkOrderError as error:
            raise fail(error) from None
        for d in service.list_deliveries(
            session=session, work_order_id=wo_id, status=status, limit=limit
        ):
            table.add_row(
                str(d.id),
                d.event.event_type,
                str(d.event.work_order_id),
                d.status.value,
                str(d.attempts),
                f"{d.next_attempt_at:%Y-%m-%d %H:%M:%S}"
                if d.status is DeliveryStatus.PENDING
                else "-",
                (d.last_error or "")[:60],
            )
    Console().print(table)


@webhooks_app.command("replay")
def replay(
    ctx: typer.Context,
    delivery_id: str | None = typer.Argument(None, help="One delivery to send again."),
    all_dead: bool = typer.Option(False, "--all-dead", help="Replay every dead letter."),
) -> None:
    """Send a delivery (or every dead letter) again, with the same delivery id and body."""
    if (delivery_id is None) == (not all_dead):
        raise fail(ValueError("give a delivery id or --all-dead"))
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    now = datetime.now(UTC)
    with sessions() as session:
        try:
            if delivery_id is not None:
                service.replay(session=session, delivery_id=_uuid(delivery_id, "delivery"), now=now)
                count = 1
            else:
                count = service.replay_dead(session=session, now=now)
        except WorkOrderError as error:
            raise fail(error) from None
        session.commit()
    typer.echo(f"{count} delivery(ies) queued again; the running service sends them within seconds")


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
