"""`vigil quarantine`: messages refused by the gateway contract, with counts by reason."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from ingest.rejections import REASONS
from vigil.cli import load_cli_settings
from vigil.wiring import build_quarantine


def quarantine(
    ctx: typer.Context,
    reason: str | None = typer.Option(None, help="Only this reason."),
    limit: int = typer.Option(20, min=0, help="How many recent messages to list."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document for machines."),
) -> None:
    """List quarantined messages and counts by reason."""
    settings = load_cli_settings(ctx)
    if reason is not None and reason not in REASONS:
        typer.echo(f"vigil: unknown reason {reason!r}; one of: {', '.join(REASONS)}", err=True)
        raise typer.Exit(2)
    store = build_quarantine(settings)
    counts = store.counts()
    messages = store.list(limit=limit, reason=reason)
    store.close()
    if as_json:
        document = {
            "total": sum(counts.values()),
            "counts": counts,
            "messages": [
                {
                    "id": m.id,
                    "received_at": m.received_at.isoformat(),
                    "reason": m.reason,
                    "detail": m.detail,
                    "topic": m.topic,
                    "payload_size": m.payload_size,
                    "payload_head": m.payload_head[:200].decode("utf-8", errors="replace"),
                }
                for m in messages
            ],
        }
        typer.echo(json.dumps(document, indent=2))
        return
    console = Console()
    summary = Table(title=f"Quarantine: {sum(counts.values())} messages")
    summary.add_column("reason")
    summary.add_column("count", justify="right")
    summary.add_column("meaning")
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        summary.add_row(name, str(count), REASONS.get(name, ""))
    console.print(summary)
    if messages:
        recent = Table(title="Most recent")
        for column in ("id", "received", "reason", "topic", "detail"):
            recent.add_column(column, overflow="fold")
        for m in messages:
            recent.add_row(
                str(m.id), m.received_at.strftime("%Y-%m-%d %H:%M:%S"), m.reason, m.topic, m.detail
            )
        console.print(recent)


def register(app: typer.Typer) -> None:
    app.command("quarantine")(quarantine)
