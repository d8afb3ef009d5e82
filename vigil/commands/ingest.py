"""`vigil ingest`: the MQTT collector (one process, or N on a shared subscription)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from wsgiref.simple_server import WSGIServer

import typer

from ingest.exporter import IngestMetrics, TimedStore, serve, serve_workers
from vigil.cli import load_cli_settings
from vigil.settings import Settings
from vigil.wiring import build_ingest, build_quarantine, build_store, wait_for_store
from vigil.workers import Supervisor, default_workers, die_with_parent

log = logging.getLogger("vigil.ingest")


def ingest(
    ctx: typer.Context,
    client_id: str | None = typer.Option(
        None, help="MQTT client id (default VIGIL_MQTT_CLIENT_ID); workers add -1 ... -N."
    ),
    workers: int | None = typer.Option(
        None,
        min=1,
        help="Collector processes on one shared subscription "
        "(default VIGIL_INGEST_WORKERS, else one per core).",
    ),
    metrics_port: int | None = typer.Option(
        None,
        min=0,
        max=65535,
        help="Port of the Prometheus metrics (default VIGIL_INGEST_METRICS_PORT, 9110; 0: none).",
    ),
    stats_every: float = typer.Option(10.0, help="Seconds between progress log lines."),
) -> None:
    """Run the collector: MQTT telemetry into the telemetry store, bad messages to quarantine."""
    settings = load_cli_settings(ctx)
    die_with_parent()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    count = workers or settings.ingest_workers or default_workers()
    port = settings.ingest_metrics_port if metrics_port is None else metrics_port
    if count > 1:
        config: Path | None = (ctx.find_root().obj or {}).get("config")
        raise typer.Exit(
            supervise(
                settings=settings,
                count=count,
                client_id=client_id,
                config=config,
                port=port,
                stats_every=stats_every,
                stop=stop,
            )
        )
    collect(settings=settings, client_id=client_id, port=port, stats_every=stats_every, stop=stop)


def supervise(
    *,
    settings: Settings,
    count: int,
    client_id: str | None,
    config: Path | None,
    port: int,
    stats_every: float,
    stop: threading.Event,
) -> int:
    base = client_id or settings.mqtt_client_id
    supervisor = Supervisor(
        count=count,
        client_id=base,
        group=settings.ingest_group,
        sparkplug=settings.sparkplug,
        config=config,
        metrics_dir=settings.data_dir / "metrics" / base,
        stats_every=stats_every,
    )
    supervisor.prepare_metrics_dir()
    host = settings.ingest_metrics_host
    server = (
        _serve(lambda: serve_workers(supervisor.metrics_dir, host=host, port=port), host, port)
        if port
        else None
    )
    try:
        code = supervisor.run(stop)
    finally:
        if server is not None:
            server.shutdown()
    log.info("stopped %d collector processes", count)
    return code


def collect(
    *,
    settings: Settings,
    client_id: str | None,
    port: int,
    stats_every: float,
    stop: threading.Event,
) -> None:
    metrics = IngestMetrics()
    host = settings.ingest_metrics_host
    server = (
        _serve(lambda: serve(metrics.registry, host=host, port=port), host, port) if port else None
    )
    store = build_store(settings)
    quarantine = build_quarantine(settings)
    if not wait_for_store(store, stop):
        return
    service = build_ingest(
        settings, TimedStore(store, metrics.store_write.observe), quarantine, client_id=client_id
    )
    service.start()
    finish_metrics = metrics.start_sync(service.collector, service.subscriber.connected.is_set)
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
    finish_metrics()
    if server is not None:
        server.shutdown()
    store.close()
    quarantine.close()
    log.info("stopped after %d readings stored", stats.readings_stored)


def _serve(start: Callable[[], WSGIServer], host: str, port: int) -> WSGIServer:
    """Bind the metrics port first, so a taken port stops the command before it collects."""
    try:
        server = start()
    except OSError as error:
        typer.echo(
            f"vigil: cannot serve metrics on {host}:{port} ({error.strerror}); set "
            "VIGIL_INGEST_METRICS_PORT or --metrics-port to a free port, or 0 for none",
            err=True,
        )
        raise typer.Exit(2) from None
    log.info("Prometheus metrics on http://%s:%d/metrics", host, port)
    return server


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
