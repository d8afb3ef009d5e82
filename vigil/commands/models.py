"""`vigil models`: train, evaluate, list, show, promote and roll back anomaly models.

The commands' shared helpers are in ``models_common``, what training prints in
``models_report``, the evaluation in ``models_evaluate``, remaining life in ``rul``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from models.labels import LabelError, LabelSource, StaticLabels, read_labels
from models.model import ModelConfig
from models.registry import RegistryError
from models.training import run_training
from vigil.cli import load_cli_settings
from vigil.commands import models_report as report
from vigil.commands.models_common import (
    cli_time,
    fail,
    open_registry,
    over_store,
    site_zones,
    work_order_labels,
)
from vigil.commands.models_evaluate import evaluate
from vigil.commands.rul import rul_app

models_app = typer.Typer(help="Anomaly models: train, evaluate, registry.", no_args_is_help=True)
models_app.add_typer(rul_app, name="rul")


@models_app.command("train")
def train(
    ctx: typer.Context,
    start: str = typer.Option(..., help="Training window start (RFC 3339, UTC)."),
    end: str | None = typer.Option(None, help="Training window end (default: now)."),
    asset_type: str | None = typer.Option(None, help="Only this asset type (default: all)."),
    labels: Path | None = typer.Option(
        None, help="Labelled windows to exclude and evaluate on (simulator labels JSON)."
    ),
    wo_labels: bool = typer.Option(
        True, "--wo-labels/--no-wo-labels", help="Use work-order outcomes as labels."
    ),
    every_s: int = typer.Option(3600, min=60, help="Feature window length in seconds."),
    detector: str = typer.Option("pca", help="pca, robust or iforest."),
    target_far: float = typer.Option(0.01, min=1e-6, max=0.5, help="Per-window false-alarm rate."),
    promote: bool = typer.Option(False, help="Promote the new version at once."),
    as_json: bool = typer.Option(False, "--json", help="Print the new version as JSON."),
) -> None:
    """Pull telemetry from the store, fit, evaluate, and write a new registry version."""
    settings = load_cli_settings(ctx)
    begin = cli_time(start, "--start")
    finish = cli_time(end, "--end") if end else datetime.now(UTC)
    if finish <= begin:
        raise fail("--end must be after --start")
    sources: list[LabelSource] = []
    try:
        if labels is not None:
            sources.append(StaticLabels(tuple(read_labels(labels))))
    except LabelError as error:
        raise fail(str(error)) from None
    if wo_labels and (source := work_order_labels(settings)) is not None:
        sources.append(source)
    config = ModelConfig(every_s=every_s, detector=detector, target_far=target_far)
    registry = open_registry(settings)
    info = over_store(
        settings,
        as_json,
        lambda store, progress: run_training(
            store=store,
            registry=registry,
            start=begin,
            end=finish,
            asset_type=asset_type,
            label_sources=sources,
            config=config,
            progress=progress,
            zones=site_zones(settings),
        ),
    )
    if promote:
        registry.promote(info.version)
    if as_json:
        typer.echo(json.dumps(info.to_json(), indent=2))
        return
    typer.echo(f"wrote model version {info.version}{' (promoted)' if promote else ''}")
    report.metrics_table(info.metrics)
    report.labels_table(info.metrics)
    report.rul_lines(info.metrics)
    report.coverage_warnings(info.metrics)
    report.ambient_warnings(info.metrics)


models_app.command("evaluate")(evaluate)


@models_app.command("list")
def list_versions(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON list.")
) -> None:
    """Registered versions; the promoted one is marked."""
    registry = open_registry(load_cli_settings(ctx))
    promoted = registry.promoted()
    versions = registry.versions()
    if as_json:
        typer.echo(
            json.dumps(
                [{**v.to_json(), "promoted": v.version == promoted} for v in versions], indent=2
            )
        )
        return
    table = Table(title=f"Model versions in {registry.root}")
    for column in ("version", "promoted", "created", "training window", "asset types"):
        table.add_column(column)
    for v in versions:
        table.add_row(
            v.version,
            "*" if v.version == promoted else "",
            v.created_at[:19],
            f"{v.training_start[:16]} .. {v.training_end[:16]}",
            ", ".join(v.asset_types),
        )
    Console().print(table)


@models_app.command("show")
def show(ctx: typer.Context, version: str = typer.Argument(..., help="e.g. v0001")) -> None:
    """A version's manifest: training window, parameters, metrics, hashes."""
    registry = open_registry(load_cli_settings(ctx))
    try:
        info = registry.show(version)
    except RegistryError as error:
        raise fail(str(error)) from None
    typer.echo(json.dumps({**info.to_json(), "promoted": registry.promoted() == version}, indent=2))


@models_app.command("promote")
def promote(ctx: typer.Context, version: str = typer.Argument(..., help="e.g. v0002")) -> None:
    """Make a version the one the scorer uses (picked up at its next cycle)."""
    registry = open_registry(load_cli_settings(ctx))
    try:
        registry.promote(version)
    except RegistryError as error:
        raise fail(str(error)) from None
    typer.echo(f"promoted {version}")


@models_app.command("rollback")
def rollback(ctx: typer.Context) -> None:
    """Promote the previously promoted version again."""
    registry = open_registry(load_cli_settings(ctx))
    try:
        version = registry.rollback()
    except RegistryError as error:
        raise fail(str(error)) from None
    typer.echo(f"rolled back to {version}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
