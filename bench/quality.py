"""Detector quality: SKAB (public, labelled) and the simulator's 30-day fleet.

    .venv/bin/python bench/quality.py [--json] [--skab-dir ../shared/datasets/skab]
                                      [--scenario fleet-30d] [--seed 8] [--seeds 9,10,11]
                                      [--no-context] [--skip-skab|--skip-simulator|--skip-rul]

SKAB follows its leaderboard's protocol: per file the first 400 rows train (the model is refit
per file), the rest test, TP/FP/FN/TN pooled over all test rows; with --skab-grid also the
leave-one-experiment-group-out estimate (bench/skab.py says how). The simulator part trains one
model per asset type on the first ``--train-days`` (healthy everywhere in fleet-30d), then
decides every later window the way the scoring job does (cold start, data-quality windows left
out, persistence) and counts faults detected before failure, lead time, and false work orders.

The simulator figures are the mean over the unseen ``--seeds`` (default 9, 10, 11); the tuning
seed's (``--seed``, default 8, the draw every setting was chosen on) are reported beside them.

With --json the last line is one JSON object:
{"skab": {"f1", "far", "mar", "leave_one_group_out": {"f1", "far", "mar"} with --skab-grid},
"simulator": {"detected_share", "median_lead_days", "false_wo_per_100_asset_days",
"false_wo_per_100_asset_days_healthy_assets", "median_failure_time_error_days", "failure_interval_coverage", "failure_interval_width_days",
"lead_calibration", "seeds", "per_seed", "tuning_seed", "tuning", "context"}, "rul":
{"cmapss_val_rmse", "cmapss_val_score", "coverage_90"}} (FAR, MAR and coverage as fractions;
bench/rul.py says how the remaining-life figures are made; the failure time's interval is judged
as shipped, calibrated by bench/lead_calibration.py on tuning seeds).

The false work orders are counted as before (an alarm episode starting outside every fault
window of its asset, from onset to failure, evaluated faults only); ``..._healthy_assets`` is the
same figure without the episodes that start on an asset already faulty: the simulator never
repairs, so an asset runs on failed after its failure time (a failed lift alarms again on the
Monday after a quiet weekend), and a fault begun in the training days is left out of the
detection count but stays on its asset (``faulty_windows``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rul import cmapss_validation, failure_time_errors, print_cmapss  # noqa: E402
from bench.skab import report as skab_report  # noqa: E402
from models.context import local_clock, offset_name  # noqa: E402
from models.dataquality import sparse_windows, stuck_sensors  # noqa: E402
from models.evaluation import alarm_episodes, fleet_evaluation  # noqa: E402
from models.features import window_features  # noqa: E402
from models.labels import LabelWindow  # noqa: E402
from models.model import ModelConfig, fit_type_model  # noqa: E402
from models.site_ambient import fill_site_ambient, site_ambient  # noqa: E402
from models.training import assess_history, healthy_mask  # noqa: E402

# --- simulator -------------------------------------------------------------------------------


def load_fleet(name: str, seed: int) -> tuple[Any, Any]:
    """The scenario with its random faults drawn from ``seed``, and its labels."""
    from simulators import build_labels
    from simulators.scenario import SCENARIO_DIR, parse_scenario

    raw = tomllib.loads((SCENARIO_DIR / f"{name}.toml").read_text())
    scenario = parse_scenario({**raw, "seed": seed}, name=name)
    assert scenario.start is not None
    labels = build_labels(scenario, seed=seed, start_s=scenario.start.timestamp())
    return scenario, labels


def _asset_windows(job: tuple[str, int, int, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from simulators import asset_frame, streams

    name, seed, index, every_s = job
    scenario, labels = load_fleet(name, seed)
    stream = streams(scenario, seed=seed, start_s=labels.start.timestamp())[index]
    frame = asset_frame(stream)
    frame = frame.rename_axis("time").reset_index()
    frame["site"], frame["asset"] = stream.asset.site, stream.asset.id
    frame["asset_type"] = stream.asset.asset_type
    fw = window_features(frame, every=timedelta(seconds=every_s))
    return fw.features, fw.meta


def fleet_windows(name: str, seed: int, every_s: int, processes: int = 2) -> tuple[Any, Any, Any]:
    scenario, labels = load_fleet(name, seed)
    jobs = [(name, seed, i, every_s) for i in range(len(scenario.assets))]
    with Pool(processes) as pool:
        parts = pool.map(_asset_windows, jobs, chunksize=4)
    features = pd.concat([p[0] for p in parts]).sort_index()
    meta = pd.concat([p[1] for p in parts]).sort_index()
    return features, meta, labels


def label_windows(labels: Any) -> tuple[list[LabelWindow], list[LabelWindow]]:
    faults = [
        LabelWindow(f.asset, f.onset, f.failure_at, "fault", f.asset_type, f.mode, f.failure_at)
        for f in labels.faults
    ]
    quality = [
        LabelWindow(q.asset, q.start, q.end, "data_quality", q.asset_type, q.kind)
        for q in labels.data_quality
    ]
    return faults, quality


def site_zones(scenario: Any) -> dict[str, str]:
    """Each site's time zone, from the scenario's climate (``utc_offset_h``): the telemetry's
    ``site`` tag is the scenario's site id, as it is the site code in the customer records."""
    return {site.id: offset_name(site.climate["utc_offset_h"]) for site in scenario.sites}


def simulator(
    features: pd.DataFrame,
    meta: pd.DataFrame,
    labels: Any,
    config: ModelConfig,
    train_days: float,
    zones: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Train per type on the first ``train_days``, decide the rest, count against the labels.
    ``zones``: site -> time zone, for the operating context's local hour and weekend."""
    faults, quality = label_windows(labels)
    clock = local_clock(features.index, sites=list(meta["site"]), zones=zones or {})
    every = timedelta(seconds=config.every_s)
    flagged = (stuck_sensors(features, meta, min_readings=5) != "") | sparse_windows(
        meta["n"], meta["n"].groupby(level="asset").median(), fraction=0.5
    )
    times = features.index.get_level_values("time")
    split = pd.Timestamp(labels.start) + pd.Timedelta(days=train_days)
    healthy = healthy_mask(features.index, [*faults, *quality], every=every)
    alarms = []
    for asset_type, rows in meta.groupby("asset_type"):
        # The type's own metrics only, as ``models.training.train_models`` takes them.
        part = features.loc[rows.index].dropna(axis=1, how="all")
        in_train = np.asarray(part.index.get_level_values("time") < split)
        model = fit_type_model(
            asset_type=str(asset_type),
            features=part[in_train],
            healthy=healthy.reindex(part.index[in_train]),
            config=config,
            clock=clock.loc[part.index[in_train]],
        )
        live = part[~in_train & ~flagged.reindex(part.index).to_numpy()]
        decided = assess_history(model, live, clock.loc[live.index])
        alarmed = decided[decided["alarm"]]
        ratio = np.maximum(
            alarmed["score"].to_numpy() / model.threshold.value,
            alarmed["trend_score"].to_numpy() / model.trend_threshold.value,
        )
        alarms.append(
            alarmed.index.to_frame(index=False).assign(
                fault_code=alarmed["fault_code"].to_numpy(),
                asset_type=str(asset_type),
                local_hour=clock.loc[alarmed.index, "hour"].to_numpy(),
                ratio=ratio,
                **{c: alarmed[c].to_numpy() for c in ("failure_at", "failure_low", "failure_high")},
            )
        )
    alarm_frame = pd.concat(alarms, ignore_index=True)
    evaluated_days = (times.max() + every - split).total_seconds() / 86400
    late = [f for f in faults if f.start >= split]
    assets = features.index.get_level_values("asset").nunique()
    result = fleet_evaluation(
        alarms=alarm_frame,
        faults=[f for f in faults if f.start >= split],
        asset_days=assets * evaluated_days,
    )
    faulty = faulty_windows(faults, (times.max() + every).to_pydatetime())
    on_faulty = (
        result.false_work_orders
        - fleet_evaluation(
            alarms=alarm_frame, faults=late, excused=faulty, asset_days=result.asset_days
        ).false_work_orders
    )
    by_mode: dict[str, list[int]] = {}
    right_code = 0
    wrong: dict[str, int] = {}
    expected_code = {(f.asset, f.onset): f.fault_code for f in labels.faults}
    for fault in (f for f in faults if f.start >= split):
        hit = alarm_frame[
            (alarm_frame["asset"] == fault.asset)
            & (alarm_frame["time"] >= fault.start)
            & (alarm_frame["time"] < fault.failure_at)
        ].sort_values("time")
        counts = by_mode.setdefault(f"{fault.mode} ({fault.asset_type})", [0, 0])
        counts[0] += int(len(hit) > 0)
        counts[1] += 1
        # The work order carries the first alarm's fault code: is it the injected fault's?
        if len(hit):
            got, want = hit["fault_code"].iloc[0], expected_code[(fault.asset, fault.start)]
            right_code += int(got == want)
            if got != want:
                wrong[f"{fault.mode}->{got}"] = wrong.get(f"{fault.mode}->{got}", 0) + 1
    return {
        "by_mode": by_mode,
        "right_fault_code": right_code,
        "wrong_fault_code": wrong,
        "faults": result.faults,
        "detected_before_failure": result.detected_before_failure,
        "detected_share": result.detected_share,
        "median_lead_days": result.median_lead_days,
        "false_work_orders": result.false_work_orders,
        "asset_days": result.asset_days,
        "false_wo_per_100_asset_days": result.false_wo_per_100_asset_days,
        "false_wo_on_faulty_assets": on_faulty,
        "false_wo_per_100_asset_days_healthy_assets": 100.0
        * (result.false_work_orders - on_faulty)
        / result.asset_days,
        "false_work_orders_by": false_breakdown(alarm_frame, [*late, *quality], faulty),
        "alarms": alarm_frame,
        "evaluated_faults": late,
        **failure_time_errors(alarm_frame, late),
    }


def faulty_windows(faults: list[LabelWindow], run_end: datetime) -> list[LabelWindow]:
    """Each fault's asset as faulty from the fault's onset to the end of the run: the simulator
    never repairs (an asset runs on, failed, after ``failure_at``), and a fault begun in the
    training days is on the asset all the same (left out of the detection count only because
    the training left its windows out). An alarm episode starting there is the same problem's
    work order still open, not a false one; ``simulator`` counts such episodes apart.

    >>> from datetime import datetime, timezone
    >>> at = lambda day: datetime(2026, 10, day, tzinfo=timezone.utc)
    >>> fault = LabelWindow("e1", at(6), at(9), "fault", "elevator", "overheating", at(9))
    >>> [(w.start.day, w.end.day, w.failure_at) for w in faulty_windows([fault], at(31))]
    [(6, 31, None)]
    """
    return [replace(f, end=run_end, failure_at=None) for f in faults]


def false_breakdown(
    alarms: pd.DataFrame, covering: list[LabelWindow], faulty: Sequence[LabelWindow] = ()
) -> dict[str, Any]:
    """The false work orders (alarm episodes starting outside every fault window; here also
    outside data-quality episodes, which the figure counts as false) by asset type and fault
    code, by local hour of their first alarm, and by how far over its level that alarm was;
    and by asset type those of them that started on an asset already faulty (``faulty``,
    ``faulty_windows``)."""
    episodes = alarm_episodes(alarms, merge_gap=pd.Timedelta(days=1))
    first = alarms.set_index(["asset", "time"])
    rows = []
    for asset, start in zip(episodes["asset"], episodes["start"], strict=True):
        if any(w.asset == asset and w.start <= start <= (w.failure_at or w.end) for w in covering):
            continue
        alarm = first.loc[(asset, start)]
        on_faulty = any(w.asset == asset and w.start <= start <= w.end for w in faulty)
        rows.append(
            (
                alarm["asset_type"],
                alarm["fault_code"],
                alarm["local_hour"],
                alarm["ratio"],
                on_faulty,
            )
        )
    frame = pd.DataFrame(rows, columns=["asset_type", "code", "hour", "ratio", "on_faulty"])
    by_hour = pd.cut(frame["hour"], [0, 6, 10, 17, 21, 24], right=False)
    kinds = (frame["asset_type"].astype(str) + "/" + frame["code"].astype(str)).value_counts()
    faulty_types = frame.loc[frame["on_faulty"].astype(bool), "asset_type"].value_counts()
    return {
        "by_type_code": {str(k): int(n) for k, n in kinds.sort_index().items()},
        "on_faulty_assets_by_type": {str(k): int(n) for k, n in faulty_types.sort_index().items()},
        "by_local_hour": {str(k): int(n) for k, n in by_hour.value_counts(sort=False).items()},
        "first_alarm_ratio_median": float(frame["ratio"].median()) if len(frame) else None,
    }


FIGURES = (
    "detected_share",
    "median_lead_days",
    "false_wo_per_100_asset_days",
    "median_failure_time_error_days",
)


def simulator_run(args: argparse.Namespace, config: ModelConfig, seed: int) -> dict[str, Any]:
    """One draw of the scenario: train, decide, count; prints its table."""
    started = time.perf_counter()
    features, meta, labels = fleet_windows(args.scenario, seed, config.every_s)
    if not args.no_site_ambient:
        # As the product does (``models.training``, the scoring job): the site's ambient for
        # assets that report none, from the assets of the site that do.
        features, filled = fill_site_ambient(features, meta, site_ambient([features], [meta]))
        print(f"site ambient: {filled}")
    zones = {} if args.utc else site_zones(load_fleet(args.scenario, seed)[0])
    sim = simulator(features, meta, labels, config, args.train_days, zones)
    print(
        f"\nSimulator {args.scenario} seed {seed}: trained on the first "
        f"{args.train_days:g} days, {time.perf_counter() - started:.0f} s"
    )
    lead = sim["median_lead_days"]
    print(f"faults after training           {sim['faults']}")
    missed = {k: f"{d}/{n}" for k, (d, n) in sorted(sim["by_mode"].items()) if d < n}
    print(f"missed (detected/all) by mode   {missed or 'none'}")
    print(
        f"detected before failure         {sim['detected_before_failure']} "
        f"({sim['detected_share']:.1%})"
    )
    print(f"median lead time                {'-' if lead is None else f'{lead:.2f} days'}")
    print(
        f"first alarm has the right code  {sim['right_fault_code']} of "
        f"{sim['detected_before_failure']} detected; wrong: {sim['wrong_fault_code']}"
    )
    print(
        f"false work orders               {sim['false_work_orders']} in "
        f"{sim['asset_days']:.0f} asset-days = "
        f"{sim['false_wo_per_100_asset_days']:.2f} per 100 asset-days"
    )
    by = sim["false_work_orders_by"]
    print(f"  by asset type / fault code    {by['by_type_code']}")
    print(
        f"  on assets already faulty      {sim['false_wo_on_faulty_assets']} "
        f"{by['on_faulty_assets_by_type']} (a fault begun in training, or failed and never "
        f"repaired): {sim['false_wo_per_100_asset_days_healthy_assets']:.2f} per 100 "
        "asset-days without them"
    )
    print(f"  by local hour of first alarm  {by['by_local_hour']}")
    print(f"  median first-alarm ratio      {by['first_alarm_ratio_median'] or 0:.2f} x its level")
    error = sim["median_failure_time_error_days"]
    print(
        f"failure time at first alarm     median error "
        f"{'-' if error is None else f'{error:.2f} days'} over "
        f"{sim['failure_time_estimated']} faults with an estimate "
        f"({sim['failure_time_missing']} without); trend's 90 % interval held "
        f"{_share(sim['failure_interval_coverage'])}, mean width "
        f"{sim['failure_interval_width_days'] or 0:.1f} days"
    )
    return sim


def simulator_seeds(args: argparse.Namespace, config: ModelConfig) -> dict[str, Any]:
    """The tuning seed, then the unseen seeds (``--seeds``); the headline figures are the mean
    over the unseen seeds, the tuning seed's are reported beside them.

    The failure time and its interval are judged as the model states them: with the
    calibration it ships (``ModelConfig.trend_params["lead_calibration"]``, learned by
    ``bench/lead_calibration.py`` on tuning seeds 5-8, never on the unseen ones)."""
    runs = {seed: simulator_run(args, config, seed) for seed in [args.seed, *args.seeds]}
    unseen = [runs[s] for s in args.seeds] or [runs[args.seed]]
    calibration = config.trend_params.get("lead_calibration")
    print(
        f"\nFailure-time interval as shipped ({(calibration or {}).get('faults', 0)} tuning "
        "faults): held on "
        + ", ".join(
            f"seed {s} {_share(runs[s]['failure_interval_coverage'])} "
            f"(mean width {runs[s]['failure_interval_width_days'] or 0:.1f} days)"
            for s in [args.seed, *args.seeds]
        )
    )

    def mean(key: str) -> float | None:
        values = [r[key] for r in unseen if r[key] is not None]
        return float(np.mean(values)) if values else None

    keys = (
        *FIGURES,
        "false_wo_per_100_asset_days_healthy_assets",
        "failure_interval_coverage",
        "failure_interval_width_days",
    )
    result: dict[str, Any] = {key: mean(key) for key in keys}
    result["seeds"] = list(args.seeds)
    result["per_seed"] = {str(s): {k: runs[s][k] for k in keys} for s in args.seeds}
    result["tuning_seed"] = args.seed
    result["tuning"] = {k: runs[args.seed][k] for k in keys}
    result["lead_calibration"] = calibration
    result["context"] = config.context
    result["local_time"] = not args.utc
    result["site_ambient"] = not args.no_site_ambient
    if args.seeds:
        print(
            f"\nMean over unseen seeds {args.seeds}: detected {result['detected_share']:.1%}, "
            f"median lead {result['median_lead_days'] or 0:.2f} days, "
            f"{result['false_wo_per_100_asset_days']:.2f} false WO per 100 asset-days, "
            f"failure time interval held {_share(result['failure_interval_coverage'])} "
            f"(tuning seed {args.seed}: {runs[args.seed]['detected_share']:.1%}, "
            f"{runs[args.seed]['median_lead_days'] or 0:.2f} days, "
            f"{runs[args.seed]['false_wo_per_100_asset_days']:.2f})"
        )
    return result


def _seed_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seeds like 9,10,11, got {text!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skab-dir", type=Path, default=ROOT.parent / "shared/datasets/skab")
    parser.add_argument("--scenario", default="fleet-30d")
    parser.add_argument("--seed", type=int, default=8, help="The tuning seed.")
    parser.add_argument(
        "--seeds",
        type=_seed_list,
        default=[9, 10, 11],
        help="Unseen seeds (comma-separated) whose mean is the reported figure; '' for none.",
    )
    parser.add_argument(
        "--no-context",
        action="store_true",
        help="Features as they are, without the regression on operating conditions.",
    )
    parser.add_argument(
        "--utc",
        action="store_true",
        help="Hour of day and weekend in UTC for every site, not in each site's local time.",
    )
    parser.add_argument(
        "--no-site-ambient",
        action="store_true",
        help="No site-level ambient for assets that report none (the behaviour before it).",
    )
    parser.add_argument(
        "--train-days",
        type=float,
        default=8.0,
        help="Days trained on: the product needs a week with a weekend for hour and weekend "
        "terms (5 days before 2026-11-30, when the models had none).",
    )
    parser.add_argument("--skip-skab", action="store_true")
    parser.add_argument(
        "--skab-grid", action="store_true", help="Also the grid and its held-out-group check."
    )
    parser.add_argument("--skip-simulator", action="store_true")
    parser.add_argument("--cmapss-dir", type=Path, default=ROOT.parent / "shared/datasets/cmapss")
    parser.add_argument("--skip-rul", action="store_true", help="No C-MAPSS remaining life.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if not args.skip_skab or args.skab_grid:
        out["skab"] = skab_report(args.skab_dir, with_grid=args.skab_grid)
    if not args.skip_simulator:
        config = ModelConfig(context=not args.no_context)
        out["simulator"] = simulator_seeds(args, config)
    if not args.skip_rul:
        started = time.perf_counter()
        figures = cmapss_validation(args.cmapss_dir)
        print_cmapss(figures, time.perf_counter() - started)
        out["rul"] = {
            "cmapss_val_rmse": figures["rmse"],
            "cmapss_val_score": figures["score"],
            "coverage_90": figures["coverage"],
        }
    if args.json:
        print(json.dumps(out))


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


if __name__ == "__main__":
    main()
