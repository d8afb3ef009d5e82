"""`vigil models rul`: remaining useful life from run-to-failure histories (CSV).

    vigil models rul evaluate TRAIN.csv --test TEST.csv --unit-col unit --time-col cycle \\
        --predictions-out OUT.csv [--truth TRUTH.csv] [--json]
    vigil models rul split HISTORIES.csv --out-dir DIR [--folds 5 --fold 0 --cuts 1 --seed 0]
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from models.rul.evaluation import cut_units, judge, split_units
from models.rul.features import FeatureError
from models.rul.model import HistoryError, RulConfig, RulModel

rul_app = typer.Typer(
    help="Remaining useful life from run-to-failure histories.", no_args_is_help=True
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil: {message}", err=True)
    return typer.Exit(2)


def _read(path: Path, what: str, needed: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise _fail(f"{what} {path}: cannot read CSV: {error}") from None
    missing = [c for c in needed if c not in frame]
    if missing:
        raise _fail(
            f"{what} {path}: no column {', '.join(map(repr, missing))}; columns: "
            f"{', '.join(map(str, frame.columns))} (name them with --unit-col / --time-col)"
        )
    return frame


@rul_app.command("evaluate")
def evaluate(
    train: Path = typer.Argument(..., help="Run-to-failure histories: each unit's last row fails."),
    test: Path = typer.Option(
        ..., help="Histories that stop before failure; one row is predicted per unit."
    ),
    unit_col: str = typer.Option("unit", help="Column naming the unit (engine, asset)."),
    time_col: str = typer.Option("cycle", help="Column ordering a unit's rows (cycle, time)."),
    setting_col: list[str] = typer.Option(
        [], help="Operating-setting columns (default: names starting with setting or op_)."
    ),
    predictions_out: Path | None = typer.Option(None, help="Write unit,rul,rul_low,rul_high here."),
    truth: Path | None = typer.Option(
        None, help="CSV unit,rul: print RMSE, PHM08 score, coverage."
    ),
    cap: float = typer.Option(125.0, min=1.0, help="Cap of the remaining life learned (rows)."),
    coverage: float = typer.Option(0.9, min=0.5, max=0.99, help="Stated interval coverage."),
    seed: int = typer.Option(0, help="Seed of the fold split and the trees."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
) -> None:
    """Train on TRAIN, predict the remaining life of each TEST unit at its last row with a
    CV+ interval, and judge it against --truth when given."""
    needed = [unit_col, time_col]
    history = _read(train, "training histories", needed)
    partial = _read(test, "test histories", needed)
    config = RulConfig(cap=cap, alpha=1 - coverage, seed=seed)
    started = time.perf_counter()
    try:
        model = RulModel.fit(
            history,
            unit_col=unit_col,
            time_col=time_col,
            config=config,
            settings=setting_col or None,
        )
        fit_s = time.perf_counter() - started
        predictions = model.predict_last(partial)
    except (HistoryError, FeatureError) as error:
        raise _fail(str(error)) from None
    if predictions_out is not None:
        predictions.round(2).to_csv(predictions_out, index=False)
    document: dict[str, Any] = {
        "train_units": int(history[unit_col].nunique()),
        "test_units": len(predictions),
        "sensors": model.features.sensors,
        "regimes": model.features.regimes,
        "cap": cap,
        "coverage_stated": coverage,
        "train_seconds": round(fit_s, 1),
    }
    if truth is not None:
        answer = _read(truth, "truth", [unit_col, "rul"])
        predictions[unit_col] = predictions[unit_col].astype(answer[unit_col].dtype)
        try:
            document.update(judge(predictions, answer, unit_col=unit_col, cap=cap))
        except ValueError as error:
            raise _fail(f"{truth}: {error}") from None
    if as_json:
        typer.echo(json.dumps(document))
        return
    typer.echo(
        f"trained on {document['train_units']} units in {fit_s:.1f} s "
        f"({len(model.features.sensors)} sensors, {model.features.regimes} regime(s)); "
        f"predicted {len(predictions)} units"
        + (f", written to {predictions_out}" if predictions_out else "")
    )
    if truth is not None:
        table = Table(title=f"Remaining life at the last row, truth capped at {cap:g}")
        for column in ("units", "RMSE", "PHM08 score", f"{coverage:.0%} coverage", "mean width"):
            table.add_column(column, justify="right")
        table.add_row(
            str(document["units"]),
            f"{document['rmse']:.2f}",
            f"{document['score']:.1f}",
            f"{document['coverage']:.1%}",
            f"{document['mean_width']:.1f}",
        )
        Console().print(table)


@rul_app.command("split")
def split(
    histories: Path = typer.Argument(..., help="Run-to-failure histories to split by unit."),
    out_dir: Path = typer.Option(..., help="Writes train.csv, test.csv and truth.csv here."),
    unit_col: str = typer.Option("unit", help="Column naming the unit."),
    time_col: str = typer.Option("cycle", help="Column ordering a unit's rows."),
    folds: int = typer.Option(5, min=2, help="Units are split into this many groups."),
    fold: int = typer.Option(0, min=0, help="The group held out as test units."),
    cuts: int = typer.Option(1, min=1, help="Random cuts per test unit (each a test unit)."),
    seed: int = typer.Option(0, help="Seed of the split and the cuts."),
) -> None:
    """A validation split as the C-MAPSS test protocol: held-out units (by unit, never by row)
    cut at a random row, with their true remaining life."""
    if fold >= folds:
        raise _fail(f"--fold must be below --folds ({folds})")
    frame = _read(histories, "histories", [unit_col, time_col])
    held = split_units(frame[unit_col].unique(), folds=folds, seed=seed)[fold]
    test, truth = cut_units(
        frame[frame[unit_col].isin(held)],
        unit_col=unit_col,
        time_col=time_col,
        seed=seed,
        cuts=cuts,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    frame[~frame[unit_col].isin(held)].to_csv(out_dir / "train.csv", index=False)
    test.to_csv(out_dir / "test.csv", index=False)
    truth.to_csv(out_dir / "truth.csv", index=False)
    typer.echo(
        f"{out_dir}: train.csv {int(np.sum(~frame[unit_col].isin(held)))} rows of "
        f"{frame[unit_col].nunique() - len(held)} units; test.csv {len(truth)} cut histories "
        f"of {len(held)} units; truth.csv"
    )
