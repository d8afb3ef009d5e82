"""`vigil demo`: everything on embedded defaults, with live counters."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from vigil.cli import load_cli_settings
from vigil.demo import Demo, DemoOptions, demo_start


def demo(
    ctx: typer.Context,
    duration: float | None = typer.Option(None, min=1, help="Stop after this many seconds."),
    scenario: Path | None = typer.Option(
        None, help="Simulator scenario file (default: the bundled demo scenario)."
    ),
    speed: float = typer.Option(
        240.0, min=1.0, help="How much faster than real time the history is published."
    ),
    broker: str = typer.Option(
        "auto", help="auto (mosquitto if installed, else amqtt), mosquitto or amqtt."
    ),
    data_dir: Path = typer.Option(Path("var/demo"), help="Where the demo keeps its data."),
    fresh: bool = typer.Option(False, help="Delete the demo's data directory first."),
    port: int = typer.Option(8000, help="Port of the dashboard and API."),
    seed: int = typer.Option(1, help="Simulator seed."),
    past_assets: int = typer.Option(
        300,
        min=0,
        help="Assets of the six months of service history loaded on the first run, for the KPI "
        "and report pages (0: none).",
    ),
    start_at: str | None = typer.Option(
        None,
        help="Local time at the sites (HH:MM) when the live part starts: the demo replays the "
        "latest such moment, running that far behind the wall clock (default: now).",
    ),
) -> None:
    """Run the whole product on embedded defaults: broker, simulator, collector, SQLite."""
    if broker not in ("auto", "mosquitto", "amqtt"):
        typer.echo("vigil: --broker must be auto, mosquitto or amqtt", err=True)
        raise typer.Exit(2)
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    # The live table is the demo's output; log lines only for warnings unless asked for more.
    quiet = {} if "VIGIL_LOG_LEVEL" in os.environ else {"log_level": "WARNING"}
    settings = load_cli_settings(ctx, demo=True, data_dir=data_dir, api_port=port, **quiet)
    console = Console()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    options = DemoOptions(
        scenario=scenario, speed=speed, broker=broker, seed=seed, past_assets=past_assets
    )
    if start_at is not None:
        try:
            options = replace(options, start_at=demo_start(options, start_at))
        except ValueError as error:
            typer.echo(f"vigil: {error}", err=True)
            raise typer.Exit(2) from None
    with Demo(settings, options, console) as running:
        started = time.monotonic()
        with Live(running.table(0.0), console=console, refresh_per_second=2) as live:
            while not stop.wait(0.5):
                elapsed = time.monotonic() - started
                live.update(running.table(elapsed))
                if duration is not None and elapsed >= duration:
                    break
        summary: Table = running.table(time.monotonic() - started)
    console.print(summary)
    stored = running.readings_stored
    console.print(f"Stopped. {stored} readings stored. Data lives in {data_dir.resolve()}")
    if stored == 0:
        console.print("[red]No readings were stored: see the log lines above.[/red]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
