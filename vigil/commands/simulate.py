"""`vigil simulate`: a seeded fleet of gateways publishing to any MQTT broker.

Three modes: a load generator (no scenario: N assets at a total rate), a scenario in (warped)
real time, and a backfill of history with past timestamps as fast as the broker accepts.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from simulators import (
    PublishError,
    PublishReport,
    ScenarioError,
    ScenarioMessages,
    basic_fleet_messages,
    build_labels,
    healthy_fleet,
    load_scenario,
    publish,
    run_live,
)
from simulators.labels import write_labels
from simulators.live import live_start
from simulators.scenario import Scenario
from simulators.sparkplug_live import run_sparkplug_live
from simulators.timeutil import format_duration, format_time, parse_duration, parse_time
from vigil.cli import load_cli_settings
from vigil.settings import Settings

# Timestamps of an unthrottled load run start this far back, so they stay in the past.
_UNTHROTTLED_HISTORY_S = 7 * 86_400


def simulate(
    ctx: typer.Context,
    mqtt_url: str | None = typer.Option(None, help="Broker URL (default: VIGIL_MQTT_URL)."),
    topic_template: str | None = typer.Option(None, help="Default: VIGIL_TOPIC_TEMPLATE."),
    protocol: str | None = typer.Option(None, help="MQTT protocol 5 or 3.1.1."),
    username: str | None = typer.Option(None, help="MQTT user, when not in the URL."),
    password: str | None = typer.Option(None, help="MQTT password, when not in the URL."),
    assets: int = typer.Option(100, min=1, help="Assets, when no scenario is given."),
    rate: float = typer.Option(
        100.0, min=0.0, help="Load generator: total readings/s over all assets (0: unthrottled)."
    ),
    duration: float | None = typer.Option(
        None, min=0.0, help="Stop after this many seconds (default: until Ctrl-C)."
    ),
    seed: int | None = typer.Option(None, help="Seed (default: the scenario's, else 1)."),
    batch: int = typer.Option(1, min=1, max=10_000, help="Readings per message."),
    scenario: str | None = typer.Option(
        None, help="Scenario TOML file or shipped name (demo, fleet-30d)."
    ),
    speed: float = typer.Option(1.0, min=0.001, help="Simulated seconds per real second."),
    backfill: str | None = typer.Option(
        None, help="Publish this much history (e.g. 30d, or 'scenario') as fast as possible."
    ),
    start: str | None = typer.Option(
        None, help="Backfill start, RFC 3339 (default: the scenario's, else it ends now)."
    ),
    interval: str = typer.Option("60s", help="Reading interval of a backfill without a scenario."),
    labels_out: Path | None = typer.Option(None, help="Write the ground-truth labels here."),
    max_inflight: int = typer.Option(1000, min=1, help="Unacknowledged QoS 1 messages at most."),
    json_report: bool = typer.Option(False, "--json", help="Print a final JSON report."),
    sparkplug: bool = typer.Option(
        False,
        "--sparkplug",
        help="Sparkplug B gateway mode (live): one edge node per site, its devices the assets.",
    ),
) -> None:
    """Publish simulated gateway telemetry (load generator, live scenario or backfill)."""
    overrides: dict[str, Any] = {}
    if mqtt_url is not None:
        overrides["mqtt_url"] = mqtt_url
    if topic_template is not None:
        overrides["topic_template"] = topic_template
    if protocol is not None:
        overrides["mqtt_protocol"] = protocol
    settings = load_cli_settings(ctx, **overrides)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if duration is not None:
        timer = threading.Timer(duration, stop.set)
        timer.daemon = True
        timer.start()
    common: dict[str, Any] = {
        "mqtt_url": settings.mqtt_url,
        "protocol": settings.mqtt_protocol,
        "username": username,
        "password": password,
        "ca_file": str(settings.mqtt_ca_file) if settings.mqtt_ca_file else None,
    }
    if speed != 1.0 and scenario is None and not sparkplug:
        typer.echo("vigil simulate: --speed needs --scenario", err=True)
        raise typer.Exit(2)
    try:
        chosen = load_scenario(scenario) if scenario is not None else None
        run_seed = seed if seed is not None else (chosen.seed if chosen else 1)
        if sparkplug and backfill is not None:
            raise ValueError("--sparkplug publishes live; it cannot be combined with --backfill")
        if sparkplug:
            report = run_sparkplug_live(
                scenario=chosen, assets=assets, seed=run_seed, speed=speed, stop=stop, **common
            )
        elif backfill is not None:
            report = _backfill(
                chosen,
                assets=assets,
                seed=run_seed,
                backfill=backfill,
                start=start,
                interval=interval,
                batch=batch,
                template=settings.topic_template,
                labels_out=labels_out,
                stop=stop,
                max_inflight=max_inflight,
                common=common,
            )
        elif chosen is not None:
            report = _live(
                chosen,
                seed=run_seed,
                speed=speed,
                batch=batch,
                settings=settings,
                labels_out=labels_out,
                stop=stop,
                common=common,
            )
        else:
            report = _load(
                assets=assets,
                rate=rate,
                seed=run_seed,
                batch=batch,
                template=settings.topic_template,
                stop=stop,
                max_inflight=max_inflight,
                common=common,
            )
    except (ScenarioError, PublishError, ValueError) as error:
        typer.echo(f"vigil simulate: {error}", err=True)
        raise typer.Exit(2 if isinstance(error, ScenarioError | ValueError) else 1) from None
    _print_report(report, json_report)


def _live(
    scenario: Scenario,
    *,
    seed: int,
    speed: float,
    batch: int,
    settings: Settings,
    labels_out: Path | None,
    stop: threading.Event,
    common: dict[str, Any],
) -> PublishReport:
    """The scenario in warped real time, with a bar of simulated time through it."""
    begin = live_start(scenario, speed=speed, now_s=time.time())
    if labels_out is not None:
        write_labels(build_labels(scenario, seed=seed, start_s=begin), labels_out)
    real0 = time.time()
    with Progress(
        TextColumn("simulated"),
        BarColumn(),
        TextColumn("{task.fields[clock]}"),
        TextColumn("{task.fields[published]} readings"),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task("live", total=scenario.duration_s, clock="", published=0)

        def show(published: int) -> None:
            wall = time.time()
            elapsed = min(begin + (wall - real0) * speed, wall) - begin
            clock = f"{format_duration(elapsed)} of {format_duration(scenario.duration_s)}"
            bar.update(
                task, completed=min(elapsed, scenario.duration_s), clock=clock, published=published
            )

        return run_live(
            scenario=scenario,
            seed=seed,
            speed=speed,
            batch=batch,
            topic_template=settings.topic_template,
            status_topic_template=settings.status_topic_template,
            stop=stop,
            start_s=begin,
            on_progress=show,
            **common,
        )


def _load(
    *,
    assets: int,
    rate: float,
    seed: int,
    batch: int,
    template: str,
    stop: threading.Event,
    max_inflight: int,
    common: dict[str, Any],
) -> PublishReport:
    """Load generator: N assets at a total reading rate; timestamps follow the wall clock."""
    now_ms = int(time.time() * 1000)
    if rate > 0:
        interval_ms = max(1, round(assets * 1000 / rate))
        start_ms = now_ms
        per_asset = sys.maxsize
    else:
        interval_ms, start_ms = 1000, now_ms - _UNTHROTTLED_HISTORY_S * 1000
        per_asset = _UNTHROTTLED_HISTORY_S
    messages = basic_fleet_messages(
        assets=assets,
        readings_per_asset=per_asset,
        batch=batch,
        seed=seed,
        start_ms=start_ms,
        interval_ms=interval_ms,
        topic_template=template,
    )
    report = publish(
        messages=messages,
        rate=rate / batch if rate > 0 else None,
        stop=stop,
        max_inflight=max_inflight,
        client_id=f"vigil-simulate-{seed}",
        readings_in=lambda _payload: batch,
        **common,
    )
    return report


def _backfill(
    scenario: Scenario | None,
    *,
    assets: int,
    seed: int,
    backfill: str,
    start: str | None,
    interval: str,
    batch: int,
    template: str,
    labels_out: Path | None,
    stop: threading.Event,
    max_inflight: int,
    common: dict[str, Any],
) -> PublishReport:
    """History with past timestamps, published as fast as the broker acknowledges."""
    if scenario is None:
        if backfill == "scenario":
            raise ValueError("--backfill scenario needs --scenario")
        length = parse_duration(backfill, what="--backfill")
        scenario = healthy_fleet(
            assets=assets,
            interval_s=parse_duration(interval, what="--interval"),
            duration_s=length,
            seed=seed,
        )
    length = (
        scenario.duration_s
        if backfill == "scenario"
        else parse_duration(backfill, what="--backfill")
    )
    if start is not None:
        begin = parse_time(start, what="--start").timestamp()
    elif scenario.start is not None:
        begin = scenario.start.timestamp()
    else:
        begin = math.floor((time.time() - length) / scenario.interval_s) * scenario.interval_s
    if begin + length > time.time() + 1:
        raise ValueError(f"the backfill would end in the future ({format_time(begin + length)})")
    messages = ScenarioMessages(
        scenario,
        seed=seed,
        start_s=begin,
        end_s=begin + length,
        batch=batch,
        topic_template=template,
    )
    if labels_out is not None:
        write_labels(
            build_labels(scenario, seed=seed, start_s=begin, end_s=begin + length), labels_out
        )
    total = sum(math.ceil(s.total / batch) + s.blocks for s in messages.streams)
    report = publish(
        messages=messages,
        stop=stop,
        max_inflight=max_inflight,
        progress=True,
        total=total,
        client_id=f"vigil-backfill-{scenario.name}-{seed}",
        **common,
    )
    report.readings_sent = messages.readings
    report.extra.update({"start": format_time(begin), "end": format_time(begin + length)})
    return report


def _print_report(report: PublishReport, as_json: bool) -> None:
    refused = report.extra.get("failed_acks", 0)
    if refused:
        # MQTT 5 brokers acknowledge a publish they refuse (e.g. an ACL) with a failure code.
        typer.echo(
            f"vigil simulate: the broker refused {refused} messages (not authorised to publish "
            "under that site? see its ACL)",
            err=True,
        )
    if as_json:
        typer.echo(orjson.dumps(report.as_dict()).decode())
        return
    typer.echo(
        f"published {report.messages_sent} messages ({report.readings_sent} readings), "
        f"{report.messages_acked} acknowledged, in {report.seconds:.1f}s: "
        f"{report.messages_per_s:.0f} messages/s, {report.readings_per_s:.0f} readings/s"
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
