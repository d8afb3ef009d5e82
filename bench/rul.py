"""Remaining useful life figures for bench/quality.py.

C-MAPSS FD001 (read from ``../shared/datasets/cmapss``, never copied here): the 100 run-to-failure
engines in 5 groups by unit; for each group, the model trains on the other 80 engines and
predicts the group's engines cut at random points as the published test units are (5 cuts per
engine, true remaining life 5-150 cycles, at least 31 cycles kept); RMSE, PHM08 score and the
90 % interval's coverage are pooled over the 500 cut histories, the true life capped at 125
like the training target (the uncapped figures are printed too).

Simulator: at each detected fault's first alarm, the failure time the degradation trend
predicted against the true failure time (median absolute error in days), how often the trend's
90 % interval (as shipped: calibrated on the tuning draws, ``bench/lead_calibration.py``) held
it, and how wide it was.

Run alone for the C-MAPSS figures (bench/quality.py runs it too, beside the detector figures):

    python bench/rul.py [--cmapss-dir ../shared/datasets/cmapss] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
# Run as `python bench/rul.py`, bench/ comes first on the path, where bench/ingest.py would
# shadow the `ingest` package.
sys.path.insert(0, str(ROOT))

from models.labels import LabelWindow  # noqa: E402
from models.rul.evaluation import cut_units, judge, split_units  # noqa: E402
from models.rul.model import RulConfig, RulModel  # noqa: E402

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
    (faults whose first alarm had no predicted time are counted apart), whether the interval
    (``failure_low`` .. ``failure_high``, as the model stated it; an open high end holds
    anything later) held the true time, and its mean width in days (over closed intervals).
    ``lead_pairs``: (predicted, true) lead in days at the first alarm."""
    errors, held, without = [], [], 0
    widths: list[float] = []
    pairs: list[tuple[float, float]] = []
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
        now = pd.Timestamp(first["time"])
        pairs.append(
            (
                (first["failure_at"] - now).total_seconds() / 86400,
                (truth - now).total_seconds() / 86400,
            )
        )
        low, high = first["failure_low"], first["failure_high"]
        held.append(bool(low <= truth and (pd.isna(high) or truth <= high)))
        if not pd.isna(high):
            widths.append((high - low).total_seconds() / 86400)
    return {
        "median_failure_time_error_days": float(np.median(errors)) if errors else None,
        "failure_time_estimated": len(errors),
        "failure_time_missing": without,
        "failure_interval_coverage": float(np.mean(held)) if held else None,
        "failure_interval_width_days": float(np.mean(widths)) if widths else None,
        "failure_interval_open": len(held) - len(widths),
        "lead_pairs": pairs,
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


def main() -> None:
    parser = argparse.ArgumentParser(description="Remaining-useful-life figures on C-MAPSS FD001.")
    parser.add_argument("--cmapss-dir", type=Path, default=ROOT.parent / "shared/datasets/cmapss")
    parser.add_argument("--json", action="store_true", help="End with one line of JSON figures.")
    args = parser.parse_args()
    if not (args.cmapss_dir / "train_FD001.csv").exists():
        parser.error(f"no train_FD001.csv in {args.cmapss_dir}: give --cmapss-dir")
    started = time.perf_counter()
    figures = cmapss_validation(args.cmapss_dir)
    print_cmapss(figures, time.perf_counter() - started)
    if args.json:
        print(
            json.dumps(
                {
                    "cmapss_val_rmse": figures["rmse"],
                    "cmapss_val_score": figures["score"],
                    "coverage_90": figures["coverage"],
                }
            )
        )


if __name__ == "__main__":
    main()
