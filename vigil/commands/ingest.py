"""`vigil ingest`: the MQTT collector."""

from __future__ import annotations

import logging
import signal
import threading

import typer

from vigil.cli import load_cli_settings
from vigil.wiring import build_ingest, build_quarantine, build_store, wait_for_store

log = logging.getLogger("vigil.ingest")


def ingest(
    ctx: typer.Context,
    client_id: str | None = typer.Option(
        None, help="MQTT client id (default VIGIL_MQTT_CLIENT_ID)."
    ),
    stats_every: float = typer.Option(10.0, help="Seconds between progress log lines."),
) -> None:
    """Run the collector: MQTT telemetry into the telemetry store, bad messages to quarantine."""
    settings = load_cli_settings(ctx)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    store = build_store(settings)
    quarantine = build_quarantine(settings)
    if not wait_for_store(store, stop):
        return
    service = build_ingest(settings, store, quarantine, client_id=client_id)
    service.start()
    log.info("collecting from %s into the %s store", settings.mqtt_url, settings.store_kind)
    stats = service.collector.stats
    while not stop.wait(stats_every):
        log.info(
            "messages %d, readings stored %d, quarantined %d, backlog %d, lag %.1fs",
            stats.messages,
            stats.readings_stored,
            stats.quarantined_total,
            service.collector.backlog,
            stats.lag_ms / 1000,
        )
    log.info("stopping: flushing and acknowledging what was received")
    service.stop()
    store.close()
    quarantine.close()
    log.info("stopped after %d readings stored", stats.readings_stored)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
