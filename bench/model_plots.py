"""Plots for docs/models.md: operating context (and its local time), a single series at several
scales, a false alarm's raised level, and remaining life learned from confirmed work orders.

    .venv/bin/python bench/model_plots.py [--out docs/img/models]

A development-time script (``pip install matplotlib``); the data are the seeded generators the
tests use (tests/models/test_context.py, tests/models/test_single_series.py,
tests/workorders/test_outcome_training.py, tests/workorders/test_rul_from_work_orders.py), so
each plot shows what a test checks.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.context import local_clock  # noqa: E402
from models.csv_eval import CsvEvalConfig, evaluate_frame, labels_from_windows  # noqa: E402
from models.features import Baselines, window_features  # noqa: E402
from models.labels import LabelWindow  # noqa: E402
from models.model import fit_type_model  # noqa: E402
from models.outcomes import learn_levels  # noqa: E402
from models.rul.model import RulConfig, RulModel  # noqa: E402
from models.rul.outcomes import UNIT, WINDOW, failure_histories  # noqa: E402
from models.smoothing import add_slow  # noqa: E402
from models.training import assess_history, healthy_mask  # noqa: E402
from tests.models import test_context as ctx  # noqa: E402
from tests.models import test_single_series as single  # noqa: E402
from tests.workorders import test_outcome_training as outcome  # noqa: E402
from tests.workorders import test_rul_from_work_orders as wo_rul  # noqa: E402

HOUR = timedelta(hours=1)


def context_plot(out: Path) -> None:
    import matplotlib.pyplot as plt

    train = window_features(ctx.pumps(days=6), every=HOUR).features
    later_raw = ctx.pumps(days=9, ramp_from=6)
    later = window_features(later_raw, every=HOUR).features
    fig, axes = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
    p0 = later_raw[later_raw["asset"] == "p0"]
    axes[0].plot(p0["time"], p0["speed"], lw=0.6)
    axes[0].set_ylabel("p0 speed (rpm)")
    axes[0].axvline(ctx.START + pd.Timedelta(days=6), color="k", ls=":", lw=1)
    axes[0].set_title("A pump asked for more than training saw (from day 6)")
    for use, colour in ((False, "tab:red"), (True, "tab:blue")):
        model = fit_type_model(
            asset_type="pump",
            features=train,
            healthy=pd.Series(True, index=train.index),
            config=replace(ctx.CONFIG, context=use),
        )
        decided = assess_history(model, later).xs("p0", level="asset")
        label = "with operating context" if use else "without"
        axes[1].plot(
            decided.index, decided["score"] / model.threshold.value, color=colour, label=label
        )
    axes[1].axhline(1.0, color="k", lw=1)
    axes[1].set_ylabel("score / threshold")
    axes[1].set_yscale("log")
    axes[1].legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "models-context.png", dpi=110)
    plt.close(fig)


def single_series_plot(out: Path) -> None:
    import matplotlib.pyplot as plt

    frame, windows = single.machine_temperature()
    labels = labels_from_windows(frame["time"], windows)
    result = evaluate_frame(
        frame,
        time_col="time",
        labels=labels,
        train_until=single.START + 21 * single.DAY,
        config=CsvEvalConfig(),
    )
    rows = result.rows
    fig, axes = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
    axes[0].plot(frame["time"], frame["temperature"], lw=0.3)
    axes[0].set_ylabel("temperature")
    axes[0].set_title("One metric column: daily and weekly swings, three failures building up")
    axes[1].plot(rows["time"], rows["score"] / rows["threshold"], lw=0.5)
    axes[1].axhline(1.0, color="k", lw=1)
    axes[1].set_ylabel("score / threshold")
    alarms = rows[rows["is_anomalous"] == 1]
    axes[1].scatter(alarms["time"], np.full(len(alarms), 1.0), s=4, color="tab:red", label="alarm")
    for ax in axes:
        for onset, failure in windows:
            ax.axvspan(onset, failure, color="tab:orange", alpha=0.25)
    axes[1].legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "models-single-series.png", dpi=110)
    plt.close(fig)


def false_alarm_plot(out: Path) -> None:
    import matplotlib.pyplot as plt

    frame = outcome.telemetry()
    features = window_features(frame, every=HOUR).features
    detected = outcome.EXCURSION[0] + pd.Timedelta(hours=3)
    false_alarm = LabelWindow(
        "p1",
        detected.to_pydatetime(),
        (detected + pd.Timedelta(hours=2)).to_pydatetime(),
        "false_alarm",
        "pump",
    )
    repair = LabelWindow(
        "p2",
        (outcome.DETECTED - pd.Timedelta(days=1)).to_pydatetime(),
        outcome.REPAIRED.to_pydatetime(),
        "confirmed_fault",
        "pump",
    )
    healthy = healthy_mask(features.index, [repair], every=HOUR, settle=24 * HOUR)
    model = fit_type_model(
        asset_type="pump", features=features, healthy=healthy, config=outcome.CONFIG
    )
    before = assess_history(model, features)
    model.levels = learn_levels(model=model, decided=before, false_alarms=[false_alarm])
    factor = max(model.levels.by_asset.get("p1", {}).values(), default=1.0)
    ratio = pd.concat(
        [
            before["score"] / model.threshold.value,
            before["trend_score"] / model.trend_threshold.value,
        ],
        axis=1,
    ).max(axis=1)
    ratio = ratio.xs("p1", level="asset")
    fig, ax = plt.subplots(figsize=(10, 3.2))
    ax.plot(ratio.index, ratio, lw=0.8, label="p1: score / threshold")
    ax.axhline(1.0, color="k", lw=1, label="level before the outcome")
    ax.axhline(factor, color="tab:green", lw=1.2, label=f"after 'false_alarm' (x{factor:.2f})")
    # matplotlib's date unit: days since the epoch
    start, end = ((t - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1) for t in outcome.EXCURSION)
    ax.axvspan(start, end, color="tab:orange", alpha=0.25)
    ax.set_title("A false alarm reported on a work order raises that asset's level for its fault")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out / "models-false-alarm.png", dpi=110)
    plt.close(fig)


def local_time_plot(out: Path) -> None:
    """The discharge temperature's residual of a Lyon and an Auckland chiller, with the hour of
    day in each site's local time and pooled in UTC."""
    import matplotlib.pyplot as plt

    fw = window_features(ctx.chillers_in_two_zones(days=9), every=HOUR)
    healthy = pd.Series(True, index=fw.features.index)
    fig, axes = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True, sharey=True)
    for ax, (title, zones) in zip(
        axes,
        (
            ("hour of day in UTC for both sites", {}),
            ("hour of day in each site's local time", {"lyon": "+01:00", "akl": "+13:00"}),
        ),
        strict=True,
    ):
        clock = local_clock(fw.features.index, sites=list(fw.meta["site"]), zones=zones)
        model = fit_type_model(
            asset_type="chiller",
            features=fw.features,
            healthy=healthy,
            config=ctx.CONFIG,
            clock=clock,
        )
        z = model.baselines.normalise(add_slow(fw.features, halflife=ctx.CONFIG.slow_halflife))
        residual = model.frame(z, clock)["discharge_temperature:level"]
        for asset, colour in (("c0", "tab:blue"), ("c2", "tab:orange")):
            series = residual.xs(asset, level="asset").iloc[-72:]
            site = "Lyon" if asset == "c0" else "Auckland"
            ax.plot(series.index, series, color=colour, lw=1, label=f"{site} ({asset})")
        ax.set_ylabel("residual (robust z)")
        ax.set_title(f"Discharge temperature after the operating context, {title}")
        ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out / "models-local-time.png", dpi=110)
    plt.close(fig)


def rul_plot(out: Path) -> None:
    """Remaining life learned from five pumps' confirmed failures, predicted over the sixth's
    history (not learned from), with its 90 % interval."""
    import matplotlib.pyplot as plt

    raw = window_features(wo_rul.telemetry(), every=HOUR).features
    # Against each pump's own baseline (its first three days, before any wear), as training
    # and the scorer read them (``models.rul.outcomes``).
    early = raw.index.get_level_values("time") < wo_rul.onset(0)
    features = Baselines.fit(raw[early]).normalise(raw)
    failures = [
        LabelWindow(
            f"p{i + 1}",
            wo_rul.onset(i).to_pydatetime(),
            wo_rul.repaired(i).to_pydatetime(),
            "confirmed_fault",
        )
        for i in range(wo_rul.PUMPS)
    ]
    histories = failure_histories(
        features=features, failures=failures, every=HOUR, history_windows=720, min_windows=48
    )
    held = histories[UNIT].str.startswith("p4@")
    model = RulModel.fit(
        histories[~held],
        unit_col=UNIT,
        time_col=WINDOW,
        config=RulConfig(cap=wo_rul.CONFIG.rul_cap_windows, folds=5, age=False),
        settings=[],
    )
    unit = histories[held]
    predicted = model.predict(unit)
    truth = len(unit) - 1 - unit[WINDOW].to_numpy()
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.fill_between(
        truth / 24,
        predicted["rul_low"] / 24,
        predicted["rul_high"] / 24,
        alpha=0.25,
        label="90 % interval (CV+)",
    )
    ax.plot(truth / 24, predicted["rul"] / 24, label="predicted")
    ax.plot(
        truth / 24,
        np.minimum(truth, wo_rul.CONFIG.rul_cap_windows) / 24,
        "k--",
        lw=1,
        label="true (capped)",
    )
    ax.invert_xaxis()
    ax.set_xlabel("days before the repair (confirmed failure)")
    ax.set_ylabel("remaining life (days)")
    ax.set_title("Remaining life learned from five pumps' confirmed work orders, on the sixth")
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(out / "models-rul-work-orders.png", dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/img/models")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    context_plot(args.out)
    single_series_plot(args.out)
    false_alarm_plot(args.out)
    local_time_plot(args.out)
    rul_plot(args.out)
    print(f"plots written to {args.out}")


if __name__ == "__main__":
    main()
