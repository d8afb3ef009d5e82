"""Remaining useful life figures for bench/quality.py.

C-MAPSS FD001 (read from ``../shared/datasets/cmapss``, never copied here): the 100 run-to-failure
engines in 5 groups by unit; for each group, the model trains on the other 80 engines and
predicts the group's engines cut at random points as the published test units are (5 cuts per
engine, true remaining life 5-150 cycles, at least 31 cycles kept); RMSE, PHM08 score and the
90 % interval's coverage are pooled over the 500 cut histories, the true life capped at 125
like the training target (the uncapped figures are printed too).

Simulator: at each detected fault's first alarm, the failure time the degradation trend
predicted against the true failure time (median absolute error in days), and how often the
trend's 90 % interval held it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.labels import LabelWindow
from models.rul.evaluation import cut_units, judge, split_units
from models.rul.model import RulConfig, RulModel

FOLDS, CUTS, SEED = 5, 5, 1


def cmapss_validation(directory: Path) -> dict[str, Any]:
    history = pd.read_csv(directory / "train_FD001.csv")
    config = RulConfig()
    predictions, truths, fit_seconds = [], [], []
    for k, held in enumerate(split_units(history["unit"].unique(), folds=FOLDS, seed=SEED)):
        test, truth = cut_units(
            history[history["unit"].isin(held)],
            unit_col="unit",
            time_col="cycle",
            seed=SEED + k,
            cuts=CUTS,
        )
        started = time.perf_counter()
        model = RulModel.fit(
            history[~history["unit"].isin(held)], unit_col="unit", time_col="cycle", config=config
        )
        fit_seconds.append(time.perf_counter() - started)
        predictions.append(model.predict_last(test))
        truths.append(truth)
    figures = judge(pd.concat(predictions), pd.concat(truths), unit_col="unit", cap=config.cap)
    return {**figures, "fit_seconds": [round(s, 1) for s in fit_seconds]}


def failure_time_errors(alarms: pd.DataFrame, faults: list[LabelWindow]) -> dict[str, Any]:
    """At each fault's first alarm before its failure: |predicted - true failure time| in days
    (faults whose first alarm had no predicted time are counted apart), and whether the
    trend's interval (``failure_low`` .. ``failure_high``, an open high end holds anything
    later) held the true time."""
    errors, held, without = [], [], 0
    for fault in faults:
        hit = alarms[
            (alarms["asset"] == fault.asset)
            & (alarms["time"] >= fault.start)
            & (alarms["time"] < fault.failure_at)
        ].sort_values("time")
        if hit.empty:
            continue
        first = hit.iloc[0]
        if pd.isna(first["failure_at"]):
            without += 1
            continue
        if fault.failure_at is None:
            continue
        truth = pd.Timestamp(fault.failure_at)
        errors.append(abs((first["failure_at"] - truth).total_seconds()) / 86400)
        high = first["failure_high"]
        held.append(bool(first["failure_low"] <= truth and (pd.isna(high) or truth <= high)))
    return {
        "median_failure_time_error_days": float(np.median(errors)) if errors else None,
        "failure_time_estimated": len(errors),
        "failure_time_missing": without,
        "failure_interval_coverage": float(np.mean(held)) if held else None,
    }


def print_cmapss(figures: dict[str, Any], seconds: float) -> None:
    print(
        f"\nC-MAPSS FD001 remaining life, {FOLDS} folds by unit x {CUTS} cuts "
        f"({figures['units']} cut histories), {seconds:.0f} s; "
        f"fits {figures['fit_seconds']} s"
    )
    print(
        f"truth capped at {figures['cap']:g}: RMSE {figures['rmse']:.2f}, PHM08 score "
        f"{figures['score']:.0f}, 90 % interval coverage {figures['coverage']:.1%} "
        f"(mean width {figures['mean_width']:.1f})"
    )
    print(
        f"uncapped truth:      RMSE {figures['rmse_uncapped']:.2f}, coverage "
        f"{figures['coverage_uncapped']:.1%}"
    )
