"""`vigil serve`: API, dashboard, scheduler (scoring, alerts, webhooks), optionally the collector."""

from __future__ import annotations

import logging
import signal
import threading

import typer

from vigil.cli import load_cli_settings
from vigil.service import Service
from vigil.settings import SettingsError

log = logging.getLogger("vigil.serve")


def serve(
    ctx: typer.Context,
    collector: bool = typer.Option(
        False, "--collector/--no-collector", help="Also run the MQTT collector in this process."
    ),
    shard: str | None = typer.Option(
        None,
        "--shard",
        help="Score only assets i of n by a stable hash, e.g. 0/2 (default VIGIL_SCORING_SHARD).",
    ),
) -> None:
    """Run the API, dashboard and scheduler (scoring, alerts, webhook delivery)."""
    settings = load_cli_settings(ctx, **({"scoring_shard": shard} if shard else {}))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        service = Service(settings, with_collector=collector)
        with service:
            log.info("Vigil serving on %s (API docs at %s/api/docs)", service.url, service.url)
            stop.wait()
            log.info("stopping")
    except SettingsError as error:
        typer.echo(f"vigil: {error}", err=True)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
