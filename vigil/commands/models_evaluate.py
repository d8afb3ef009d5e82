"""`vigil models evaluate`: a detector on a labelled CSV (SKAB leaderboard metrics, windows and
lead time), or a registered version on labelled history from the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from models.csv_eval import CsvEvalConfig, EvaluationError, evaluate_frame, labels_from_windows
from models.labels import LabelError, read_labels
from models.registry import RegistryError
from models.training import evaluate_bundle
from vigil.cli import load_cli_settings
from vigil.commands.models_common import cli_time, fail, open_registry, over_store, site_zones
from vigil.commands.models_report import metrics_table
from vigil.settings import Settings


def _read_csv(path: Path, sep: str | None) -> pd.DataFrame:
    try:
        if sep is None:
            with path.open() as handle:
                first = handle.readline()
            sep = ";" if first.count(";") > first.count(",") else ","
        return pd.read_csv(path, sep=sep)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise fail(f"{path}: cannot read CSV: {error}") from None


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
            raise fail("give a CSV file, or --labels with --start (and --end) for the store")
        _evaluate_store(settings, labels_file, start, end, version, as_json)
        return
    if (label_col is None) == (windows is None):
        raise fail("give exactly one of --label-col or --windows")
    frame = _read_csv(csv, sep)
    for column in [c for c in [label_col, *ignore_col] if c]:
        if column not in frame:
            raise fail(f"{csv}: no column {column!r}; columns: {', '.join(frame.columns)}")
    if time_col not in frame:
        raise fail(f"{csv}: no time column {time_col!r}; columns: {', '.join(frame.columns)}")
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
            train_until=pd.Timestamp(cli_time(train_until, "--train-until"))
            if train_until
            else None,
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
        raise fail(f"{csv}: {error}") from None
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
    begin = cli_time(start, "--start")
    finish = cli_time(end, "--end") if end else datetime.now(UTC)
    registry = open_registry(settings)
    try:
        chosen = version or registry.promoted()
        if chosen is None:
            raise fail("no promoted model version; give --version")
        bundle = registry.load(chosen)
        windows = read_labels(labels)
    except (RegistryError, LabelError) as error:
        raise fail(str(error)) from None
    metrics = over_store(
        settings,
        as_json,
        lambda store, progress: evaluate_bundle(
            store=store,
            bundle=bundle,
            start=begin,
            end=finish,
            labels=windows,
            progress=progress,
            zones=site_zones(settings),
        ),
    )
    if as_json:
        typer.echo(json.dumps({"version": chosen, "metrics": metrics}))
        return
    metrics_table(metrics, title=f"Model {chosen} on labelled history {start} .. {finish:%Y-%m-%d}")
