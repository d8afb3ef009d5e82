"""`vigil models`: train, evaluate, list, show, promote and roll back anomaly models."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ingest.store.base import TelemetryStore
from models.csv_eval import CsvEvalConfig, EvaluationError, evaluate_frame, labels_from_windows
from models.labels import LabelError, LabelSource, StaticLabels, parse_time, read_labels
from models.model import ModelConfig
from models.registry import Registry, RegistryError
from models.training import evaluate_bundle, run_training
from vigil.cli import load_cli_settings
from vigil.commands.rul import rul_app
from vigil.settings import Settings

T = TypeVar("T")

models_app = typer.Typer(help="Anomaly models: train, evaluate, registry.", no_args_is_help=True)
models_app.add_typer(rul_app, name="rul")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil: {message}", err=True)
    return typer.Exit(2)


def _registry(settings: Settings) -> Registry:
    return Registry(settings.data_dir / "models")


def _time(value: str, option: str) -> datetime:
    try:
        return parse_time(value, where=option)
    except LabelError as error:
        raise _fail(str(error)) from None


def _work_order_labels(settings: Settings) -> LabelSource | None:
    """Labels from resolved work orders, when the work-order database exists."""
    import sqlalchemy as sa

    from workorders.db import make_engine, session_factory
    from workorders.labels import WorkOrderLabels

    engine = make_engine(settings.resolved_database_url)
    try:
        if not sa.inspect(engine).has_table("work_orders"):
            return None
    except sa.exc.SQLAlchemyError:
        return None
    return WorkOrderLabels(session_factory(engine))


def _site_zones(settings: Settings) -> dict[str, str]:
    """Each site's time zone by its code, when the customer database has sites: the models take
    hour of day and weekend in local time (UTC for a site not found)."""
    import sqlalchemy as sa

    from customers.sites import list_sites
    from workorders.db import make_engine, session_factory

    engine = make_engine(settings.resolved_database_url)
    try:
        if not sa.inspect(engine).has_table("sites"):
            return {}
        with session_factory(engine)() as session:
            return {site.code: site.timezone for site in list_sites(session=session)}
    except sa.exc.SQLAlchemyError:
        return {}


def _over_store(
    settings: Settings,
    quiet: bool,
    work: Callable[[TelemetryStore, Callable[[int, int], None]], T],
) -> T:
    """Run ``work`` with the configured store and a progress bar over its chunks; a ValueError
    (no data, bad range) becomes a clear message and exit code 2."""
    from vigil.wiring import build_store

    store = build_store(settings)
    try:
        with Progress(transient=True, disable=quiet) as progress:
            task = progress.add_task("reading telemetry", total=None)
            return work(
                store, lambda done, total: progress.update(task, completed=done, total=total)
            )
    except ValueError as error:
        raise _fail(str(error)) from None
    finally:
        store.close()


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
    begin = _time(start, "--start")
    finish = _time(end, "--end") if end else datetime.now(UTC)
    if finish <= begin:
        raise _fail("--end must be after --start")
    sources: list[LabelSource] = []
    try:
        if labels is not None:
            sources.append(StaticLabels(tuple(read_labels(labels))))
    except LabelError as error:
        raise _fail(str(error)) from None
    if wo_labels and (source := _work_order_labels(settings)) is not None:
        sources.append(source)
    config = ModelConfig(every_s=every_s, detector=detector, target_far=target_far)
    registry = _registry(settings)
    info = _over_store(
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
            zones=_site_zones(settings),
        ),
    )
    if promote:
        registry.promote(info.version)
    if as_json:
        typer.echo(json.dumps(info.to_json(), indent=2))
        return
    typer.echo(f"wrote model version {info.version}{' (promoted)' if promote else ''}")
    _metrics_table(info.metrics)
    _labels_table(info.metrics)
    _rul_lines(info.metrics)
    _coverage_warnings(info.metrics)


def _coverage_warnings(metrics: dict[str, Any]) -> None:
    """Say when the training data is less than a week with a weekend."""
    for asset_type, m in sorted(metrics.items()):
        cover = m.get("coverage")
        if not cover or cover["enough"]:
            continue
        missing = [] if cover["weekend"] else ["no weekend"]
        if not cover["working_days"]:
            missing.append("no working day")
        detail = ", ".join([f"{cover['days']:g} days", *missing])
        typer.echo(
            f"warning: {asset_type}: the training data covers {detail}; at least a week with a "
            "weekend is needed to learn hour-of-day and weekend effects, so this model was "
            "trained without them (train on a longer stretch: --start)",
            err=True,
        )


def _rul_lines(metrics: dict[str, Any]) -> None:
    """Remaining life from confirmed failures: trained, or why not yet."""
    for asset_type, m in sorted(metrics.items()):
        rul = m.get("rul")
        if not rul or not rul["confirmed_failures"]:
            continue
        if rul["trained"]:
            typer.echo(
                f"{asset_type}: remaining life learned from {rul['histories']} confirmed "
                f"failures ({rul['windows']} windows of telemetry before them; out-of-fold "
                f"RMSE {rul['out_of_fold_rmse_windows']:.1f} windows, capped at "
                f"{rul['cap_windows']:g})"
            )
        else:
            typer.echo(f"{asset_type}: remaining life not learned: {rul['reason']}")


def _labels_table(metrics: dict[str, Any]) -> None:
    """What the work-order outcomes changed: per reported false alarm, the thresholds before and
    after, and its windows alarming before and after."""
    changed = {t: m["labels"] for t, m in sorted(metrics.items()) if m.get("labels")}
    if not changed:
        return
    table = Table(title="What the work-order outcomes changed")
    for column in ("asset type", "false alarm on", "fault", "threshold", "alarm windows"):
        table.add_column(column, justify="right")
    for asset_type, report in changed.items():
        for item in report["false_alarms"]:
            table.add_row(
                asset_type,
                f"{item['asset']} {item['start'][:16]}",
                ", ".join(item["fault_codes"]) or "-",
                f"{item['threshold_before']:.3g} -> {item['threshold_after']:.3g}",
                f"{item['alarms_before']} -> {item['alarms_after']}",
            )
    Console().print(table)
    for asset_type, report in changed.items():
        typer.echo(
            f"{asset_type}: {report['windows_now_quiet']} window(s) now quiet "
            f"({report['alarm_windows_before']} -> {report['alarm_windows_after']} alarm windows "
            f"in the training data); type-wide levels: {report['levels']['by_type'] or 'none'}; "
            f"{report['confirmed_faults']} confirmed fault(s) learned as unhealthy"
        )


def _metrics_table(
    metrics: dict[str, Any], *, title: str = "Evaluation on labelled faults (training window)"
) -> None:
    table = Table(title=title)
    for column in (
        "asset type",
        "assets",
        "faults",
        "detected",
        "median lead (d)",
        "false WO/100 ad",
    ):
        table.add_column(column, justify="right")
    for asset_type, m in sorted(metrics.items()):
        lead = m.get("median_lead_days")
        table.add_row(
            asset_type,
            str(m.get("assets")),
            str(m.get("faults")),
            f"{m.get('detected_share', 0):.0%}",
            "-" if lead is None else f"{lead:.1f}",
            f"{m.get('false_wo_per_100_asset_days', 0):.2f}",
        )
    Console().print(table)


def _read_csv(path: Path, sep: str | None) -> pd.DataFrame:
    try:
        if sep is None:
            with path.open() as handle:
                first = handle.readline()
            sep = ";" if first.count(";") > first.count(",") else ","
        return pd.read_csv(path, sep=sep)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise _fail(f"{path}: cannot read CSV: {error}") from None


@models_app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    csv: Path | None = typer.Argument(None, help="CSV with a time column and metric columns."),
    time_col: str = typer.Option("time", help="Name of the time column."),
    label_col: str | None = typer.Option(None, help="0/1 label column."),
    windows: Path | None = typer.Option(None, help="JSON of labelled windows instead of a column."),
    ignore_col: list[str] = typer.Option([], help="Columns that are neither metrics nor labels."),
    train_rows: int | None = typer.Option(None, min=2, help="The first N rows train."),
    train_until: str | None = typer.Option(None, help="Rows before this time train."),
    sep: str | None = typer.Option(None, help="CSV separator (default: sniffed , or ;)."),
    detector: str = typer.Option("robust", help="robust, pca or iforest."),
    window_rows: int = typer.Option(60, min=1, help="Rows per trailing feature window."),
    short_window_rows: int | None = typer.Option(
        None, min=1, help="Also a shorter window with its own threshold (several columns)."
    ),
    persistence_rows: int = typer.Option(
        1, min=1, help="Consecutive rows over the threshold before a row alarms."
    ),
    target_far: float = typer.Option(0.01, min=1e-6, max=0.5, help="Calibration quantile tail."),
    margin: float = typer.Option(2.0, min=0.1, help="Threshold = margin x healthy quantile."),
    learn_labelled: bool = typer.Option(
        False, help="Also learn from labelled training rows (the plain SKAB leaderboard split)."
    ),
    scores_out: Path | None = typer.Option(None, help="Write per-row scores and decisions here."),
    labels_file: Path | None = typer.Option(
        None,
        "--labels",
        help="Without a CSV: a simulator labels file; evaluates store history against it.",
    ),
    start: str | None = typer.Option(None, help="Without a CSV: history start (RFC 3339)."),
    end: str | None = typer.Option(None, help="Without a CSV: history end (default: now)."),
    version: str | None = typer.Option(None, help="Without a CSV: version (default: promoted)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
) -> None:
    """Precision, recall, F1, FAR and MAR (SKAB leaderboard definitions), window detection and
    lead time, on a labelled CSV."""
    settings = load_cli_settings(ctx)
    if csv is None:
        if labels_file is None or start is None:
            raise _fail("give a CSV file, or --labels with --start (and --end) for the store")
        _evaluate_store(settings, labels_file, start, end, version, as_json)
        return
    if (label_col is None) == (windows is None):
        raise _fail("give exactly one of --label-col or --windows")
    frame = _read_csv(csv, sep)
    for column in [c for c in [label_col, *ignore_col] if c]:
        if column not in frame:
            raise _fail(f"{csv}: no column {column!r}; columns: {', '.join(frame.columns)}")
    if time_col not in frame:
        raise _fail(f"{csv}: no time column {time_col!r}; columns: {', '.join(frame.columns)}")
    try:
        if label_col is not None:
            labels = pd.to_numeric(frame[label_col], errors="raise").fillna(0).astype(int)
        else:
            assert windows is not None
            spans = [(pd.Timestamp(w.start), pd.Timestamp(w.end)) for w in read_labels(windows)]
            labels = pd.Series(labels_from_windows(frame[time_col], spans))
        metrics_frame = frame.drop(columns=[c for c in [label_col, *ignore_col] if c])
        result = evaluate_frame(
            metrics_frame,
            time_col=time_col,
            labels=labels.to_numpy(),
            train_rows=train_rows,
            train_until=pd.Timestamp(_time(train_until, "--train-until")) if train_until else None,
            config=CsvEvalConfig(
                window_rows=window_rows,
                short_window_rows=short_window_rows,
                persistence_rows=persistence_rows,
                detector=detector,
                target_far=target_far,
                margin=margin,
                learn_labelled=learn_labelled,
            ),
        )
    except (EvaluationError, LabelError, ValueError) as error:
        raise _fail(f"{csv}: {error}") from None
    if scores_out is not None:
        result.rows.to_csv(scores_out, index=False)
    m, w = result.metrics, result.windows
    document = {
        "file": str(csv),
        "train_rows": result.train_rows,
        "test_rows": len(result.rows),
        **{k: m[k] for k in ("precision", "recall", "f1", "far", "mar", "tp", "fp", "fn", "tn")},
        "windows": w.windows,
        "windows_detected": w.detected,
        "mean_lead_s": w.mean_lead_s,
        "false_alarm_episodes": result.false_episodes,
        "multiscale": result.multiscale,
    }
    if as_json:
        typer.echo(json.dumps(document))
        return
    table = Table(title=f"{csv.name}: {result.train_rows} training rows, {len(result.rows)} test")
    columns = ("precision", "recall", "F1", "FAR", "MAR", "windows", "mean lead", "false episodes")
    for column in columns:
        table.add_column(column, justify="right")
    lead = "-" if w.mean_lead_s is None else f"{w.mean_lead_s:.0f} s"
    table.add_row(
        f"{m['precision']:.3f}",
        f"{m['recall']:.3f}",
        f"{m['f1']:.3f}",
        f"{m['far']:.1%}",
        f"{m['mar']:.1%}",
        f"{w.detected}/{w.windows}",
        lead,
        str(result.false_episodes),
    )
    Console().print(table)
    if result.multiscale:
        typer.echo(
            "one metric column: features over an hour and a day of its deviation from the usual "
            "profile of that hour (weekdays and weekends apart), and the day-on-day change"
        )


def _evaluate_store(
    settings: Settings,
    labels: Path,
    start: str,
    end: str | None,
    version: str | None,
    as_json: bool,
) -> None:
    begin = _time(start, "--start")
    finish = _time(end, "--end") if end else datetime.now(UTC)
    registry = _registry(settings)
    try:
        chosen = version or registry.promoted()
        if chosen is None:
            raise _fail("no promoted model version; give --version")
        bundle = registry.load(chosen)
        windows = read_labels(labels)
    except (RegistryError, LabelError) as error:
        raise _fail(str(error)) from None
    metrics = _over_store(
        settings,
        as_json,
        lambda store, progress: evaluate_bundle(
            store=store,
            bundle=bundle,
            start=begin,
            end=finish,
            labels=windows,
            progress=progress,
            zones=_site_zones(settings),
        ),
    )
    if as_json:
        typer.echo(json.dumps({"version": chosen, "metrics": metrics}))
        return
    _metrics_table(
        metrics, title=f"Model {chosen} on labelled history {start} .. {finish:%Y-%m-%d}"
    )


@models_app.command("list")
def list_versions(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON list.")
) -> None:
    """Registered versions; the promoted one is marked."""
    registry = _registry(load_cli_settings(ctx))
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
    registry = _registry(load_cli_settings(ctx))
    try:
        info = registry.show(version)
    except RegistryError as error:
        raise _fail(str(error)) from None
    typer.echo(json.dumps({**info.to_json(), "promoted": registry.promoted() == version}, indent=2))


@models_app.command("promote")
def promote(ctx: typer.Context, version: str = typer.Argument(..., help="e.g. v0002")) -> None:
    """Make a version the one the scorer uses (picked up at its next cycle)."""
    registry = _registry(load_cli_settings(ctx))
    try:
        registry.promote(version)
    except RegistryError as error:
        raise _fail(str(error)) from None
    typer.echo(f"promoted {version}")


@models_app.command("rollback")
def rollback(ctx: typer.Context) -> None:
    """Promote the previously promoted version again."""
    registry = _registry(load_cli_settings(ctx))
    try:
        version = registry.rollback()
    except RegistryError as error:
        raise _fail(str(error)) from None
    typer.echo(f"rolled back to {version}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
