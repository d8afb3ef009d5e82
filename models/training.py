"""Training: telemetry from the store into pandas, labelled windows excluded, models fitted,
evaluated on the labelled faults, and a new registry version written.

Also ``assess_history``: the decisions a model would have made over a stretch of history, with
the same cold start and persistence as the scoring job (evaluation and benchmarks use it).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ingest.points import TELEMETRY
from ingest.store.base import TelemetryStore
from models.context import SiteZones, coverage, local_clock
from models.evaluation import fleet_evaluation
from models.features import AMBIENT, Baselines, FeatureWindows, window_features
from models.labels import UNHEALTHY_KINDS, LabelSource, LabelWindow
from models.model import ModelConfig, TypeModel, fit_type_model
from models.outcomes import labels_report, learn_levels
from models.registry import ModelBundle, Registry, VersionInfo
from models.rul.outcomes import train_from_outcomes
from models.site_ambient import fill_site_ambient, site_ambient
from models.smoothing import add_slow
from models.thresholds import Persistence

Progress = Callable[[int, int], None]


def load_frame(
    *,
    store: TelemetryStore,
    start: datetime,
    end: datetime,
    asset_type: str | None = None,
    fields: Sequence[str] | None = None,
    chunk: timedelta = timedelta(days=1),
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Raw telemetry in [start, end), one query per ``chunk`` so memory and progress stay known;
    only the readings that have one of ``fields`` when it is given."""
    starts = pd.date_range(start, end, freq=pd.Timedelta(chunk), inclusive="left")
    edges: list[datetime] = [e.to_pydatetime() for e in starts] + [end]
    parts: list[pd.DataFrame] = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        where = {"asset_type": asset_type} if asset_type else None
        part = store.query(measurement=TELEMETRY, start=lo, end=hi, where=where, fields=fields)
        if not part.empty:
            parts.append(part)
        if progress:
            progress(i + 1, len(edges) - 1)
    if not parts:
        return pd.DataFrame(columns=["time", "site", "asset", "asset_type"])
    return pd.concat(parts, ignore_index=True).sort_values(["asset", "time"], ignore_index=True)


def data_hash(frame: pd.DataFrame) -> str:
    """sha256 over the rows' content: the same data gives the same hash."""
    if frame.empty:
        return hashlib.sha256(b"").hexdigest()
    ordered = frame.sort_values(["asset", "time"]).reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(ordered[sorted(ordered.columns)], index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).hexdigest()


def healthy_mask(
    index: pd.Index,
    windows: Sequence[LabelWindow],
    *,
    every: timedelta,
    settle: timedelta = timedelta(0),
) -> pd.Series:
    """False for every window (asset, start) that overlaps an unhealthy labelled window, or the
    ``settle`` time after it (the slow features still carry the fault for a while after a
    repair)."""
    healthy = pd.Series(True, index=index)
    times = pd.DatetimeIndex(index.get_level_values("time"))
    assets = index.get_level_values("asset")
    for w in windows:
        if w.kind not in UNHEALTHY_KINDS:
            continue
        start, end = pd.Timestamp(w.start), pd.Timestamp(w.failure_at or w.end) + settle
        hit = (assets == w.asset) & (times + pd.Timedelta(every) > start) & (times < end)
        healthy[hit] = False
    return healthy


def assess_history(
    model: TypeModel, features: pd.DataFrame, clock: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per window: score, trend_score, failure_at, over, cold, alarm, and for alarms the fault
    code the contributions suggest (index asset, time). ``clock``: each window's local time
    (``models.context.local_clock``), UTC without.

    Assets the model was trained on use their stored baseline; any other asset is cold for its
    first ``warmup_windows`` windows and then uses a baseline learned from those.
    """
    config = model.config
    if config.slow_halflife > 0:
        features = add_slow(features.sort_index(), halflife=config.slow_halflife)
    known = features.index.get_level_values("asset").isin(model.baselines.assets)
    z_known = model.baselines.normalise(features[known])
    unknown = features[~known]
    rank = unknown.groupby(level="asset").cumcount()
    warm = unknown[(rank < config.warmup_windows).to_numpy()]
    z_parts = [z_known]
    cold = pd.Series(False, index=features.index)
    if not warm.empty:
        own = Baselines.fit(warm[model.baselines.columns]).floored_by(model.baselines)
        z_parts.append(own.normalise(unknown))
        cold[cold.index.isin(warm.index)] = True
    z = pd.concat(z_parts).reindex(features.index)
    if clock is not None:
        clock = clock.reindex(z.index)
    out = model.assess(z, clock)
    out["cold"] = cold.to_numpy()
    over = out["over"].to_numpy() & ~out["cold"].to_numpy()
    persistence = Persistence(config.persistence)
    alarm = np.zeros(len(out), dtype=bool)
    for positions in out.groupby(level="asset", sort=False).indices.values():
        alarm[positions] = persistence.apply(over[positions])
    out["alarm"] = alarm
    # Every row over a level gets its fault code (alarms are among them): false alarms are
    # learned per fault code from the over rows (``models.outcomes``).
    codes_all = np.full(len(out), "", dtype=object)
    rows = np.flatnonzero(out["over"].to_numpy())
    if len(rows):
        codes_all[rows] = model.fault_codes(
            model.frame(z.iloc[rows], None if clock is None else clock.iloc[rows]),
            out["score"].to_numpy()[rows],
            out["trend_score"].to_numpy()[rows],
        )
    out["fault_code"] = codes_all
    return out


@dataclass
class TrainingResult:
    bundle: ModelBundle
    metrics: dict[str, dict[str, float | int | None]]
    # Per asset type, kept with the version beside its figures: what the work-order outcomes
    # changed ("labels", ``models.outcomes.labels_report``) and what the training data covered
    # ("coverage", ``models.context.coverage``: a week with a weekend is needed).
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)


def train_models(
    *,
    frame: pd.DataFrame,
    labels: Sequence[LabelWindow],
    config: ModelConfig,
    zones: SiteZones | None = None,
    ambient: pd.Series | None = None,
) -> TrainingResult:
    """One model per asset type in ``frame``, each evaluated on the labelled faults of its type.

    Reported false alarms of the type raise its alarm levels (``models.outcomes``); the
    evaluation is of the model with those levels. ``zones`` (site code -> time zone): hour of
    day and weekend are taken in each site's local time (UTC for a site without one).
    ``ambient``: each site's ambient temperature per window (``models.site_ambient``), for the
    assets that report none; by default it is taken from the assets in ``frame`` that do.
    """
    every = timedelta(seconds=config.every_s)
    models: dict[str, TypeModel] = {}
    metrics: dict[str, dict[str, float | int | None]] = {}
    changes: dict[str, dict[str, Any]] = {}
    # Each type with its own metrics only: in a frame of several types a pump's rows carry the
    # chillers' columns (all NaN), and the operating context took the chillers' cooling output,
    # the first demand present, for the pumps' (their speed was then no input at all).
    by_type = {
        str(asset_type): window_features(part.dropna(axis=1, how="all"), every=every)
        for asset_type, part in frame.groupby("asset_type", sort=True)
    }
    if ambient is None:
        ambient = site_ambient(
            [w.features for w in by_type.values()], [w.meta for w in by_type.values()]
        )
    for asset_type, windows in by_type.items():
        features, filled = fill_site_ambient(windows.features, windows.meta, ambient)
        windows = FeatureWindows(features, windows.meta)
        settle = every * round(4 * config.slow_halflife)  # slow features at 1/16 of a step
        healthy = healthy_mask(windows.features.index, labels, every=every, settle=settle)
        clock = local_clock(
            windows.features.index, sites=list(windows.meta["site"]), zones=zones or {}
        )
        model = fit_type_model(
            asset_type=str(asset_type),
            features=windows.features,
            healthy=healthy,
            config=config,
            clock=clock,
        )
        assets = set(windows.features.index.get_level_values("asset"))
        mine = [w for w in labels if w.asset in assets]
        decided = assess_history(model, windows.features, clock)
        false_alarms = [w for w in mine if w.kind == "false_alarm"]
        if false_alarms:
            before = decided
            model.levels = learn_levels(model=model, decided=before, false_alarms=false_alarms)
            decided = assess_history(model, windows.features, clock)
            changes[str(asset_type)] = {
                "labels": labels_report(model=model, before=before, after=decided, labels=mine)
            }
        confirmed = [w for w in mine if w.kind == "confirmed_fault"]
        learned = train_from_outcomes(
            # Against each asset's own baseline, as the scorer and ``TypeModel.assess`` read
            # them: a large pump's wear and a small one's then look alike.
            features=model.baselines.normalise(windows.features),
            failures=confirmed,
            every=every,
            history_windows=config.rul_history_windows,
            cap_windows=config.rul_cap_windows,
            min_failures=config.rul_min_failures,
        )
        model.rul = learned.model
        changes.setdefault(str(asset_type), {})["rul"] = learned.report
        models[str(asset_type)] = model
        metrics[str(asset_type)] = evaluate_model(
            model=model, features=windows.features, labels=labels, decided=decided
        )
        changes.setdefault(str(asset_type), {})
        changes[str(asset_type)]["coverage"] = coverage(windows.features.index)
        changes[str(asset_type)]["site_ambient"] = filled
    return TrainingResult(ModelBundle(models=models), metrics, changes)


def evaluate_model(
    *,
    model: TypeModel,
    features: pd.DataFrame,
    labels: Sequence[LabelWindow],
    decided: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Faults (simulator faults and confirmed faults) detected before failure, lead time, false
    work orders, and how many reported false alarms would still alarm."""
    if decided is None:
        decided = assess_history(model, features)
    alarms = decided[decided["alarm"]].index.to_frame(index=False)
    assets = set(features.index.get_level_values("asset"))
    mine = [w for w in labels if w.asset in assets]
    every = timedelta(seconds=model.config.every_s)
    false_alarms = [w for w in mine if w.kind == "false_alarm"]
    still = sum(
        bool(decided["alarm"].to_numpy()[_in_window(decided.index, w, every=every)].any())
        for w in false_alarms
    )
    times = features.index.get_level_values("time")
    days = (times.max() - times.min()).total_seconds() / 86400 if len(times) else 0.0
    result = fleet_evaluation(
        alarms=alarms,
        faults=[w for w in mine if w.kind in ("fault", "confirmed_fault")],
        excused=[w for w in mine if w.kind == "data_quality"],
        asset_days=len(assets) * days,
    )
    return {
        "assets": len(assets),
        "windows": len(features),
        "faults": result.faults,
        "detected_share": result.detected_share,
        "median_lead_days": result.median_lead_days,
        "false_wo_per_100_asset_days": result.false_wo_per_100_asset_days,
        "confirmed_faults": sum(w.kind == "confirmed_fault" for w in mine),
        "false_alarms_labelled": len(false_alarms),
        "false_alarms_still_alarming": still,
    }


def _in_window(index: pd.Index, window: LabelWindow, *, every: timedelta) -> np.ndarray:
    times = pd.DatetimeIndex(index.get_level_values("time"))
    hit = (
        (index.get_level_values("asset") == window.asset)
        & (times + pd.Timedelta(every) > pd.Timestamp(window.start))
        & (times <= pd.Timestamp(window.end))
    )
    return np.asarray(hit, dtype=bool)


def evaluate_bundle(
    *,
    store: TelemetryStore,
    bundle: ModelBundle,
    start: datetime,
    end: datetime,
    labels: Sequence[LabelWindow],
    progress: Progress | None = None,
    zones: SiteZones | None = None,
) -> dict[str, dict[str, float | int | None]]:
    """A registered version against labelled history from the store (e.g. a simulator run and
    its labels file): per asset type, faults detected before failure, lead, false work orders."""
    frame = load_frame(store=store, start=start, end=end, progress=progress)
    if frame.empty:
        raise ValueError(f"no telemetry in [{start}, {end})")
    metrics: dict[str, dict[str, float | int | None]] = {}
    by_type = {}
    for asset_type, part in frame.groupby("asset_type", sort=True):
        model = bundle.for_type(str(asset_type))
        if model is not None:
            every = timedelta(seconds=model.config.every_s)
            by_type[str(asset_type)] = (model, window_features(part, every=every))
    ambient = site_ambient(
        [w.features for _, w in by_type.values()], [w.meta for _, w in by_type.values()]
    )
    for asset_type, (model, windows) in by_type.items():
        features, _ = fill_site_ambient(windows.features, windows.meta, ambient)
        clock = local_clock(features.index, sites=list(windows.meta["site"]), zones=zones or {})
        metrics[asset_type] = evaluate_model(
            model=model,
            features=features,
            labels=labels,
            decided=assess_history(model, features, clock),
        )
    return metrics


def run_training(
    *,
    store: TelemetryStore,
    registry: Registry,
    start: datetime,
    end: datetime,
    asset_type: str | None,
    label_sources: Sequence[LabelSource],
    config: ModelConfig,
    progress: Progress | None = None,
    zones: SiteZones | None = None,
) -> VersionInfo:
    """Pull, fit, evaluate, register (not promoted). Raises ValueError when there is no data.
    ``zones``: each site's time zone (site code -> IANA name or offset)."""
    frame = load_frame(store=store, start=start, end=end, asset_type=asset_type, progress=progress)
    if frame.empty:
        raise ValueError(f"no telemetry for {asset_type or 'any asset type'} in [{start}, {end})")
    labels: list[LabelWindow] = []
    for source in label_sources:
        labels.extend(source.windows(asset_type=asset_type, start=start, end=end))
    ambient = None
    if asset_type:
        # One type's telemetry holds none of its site's other assets: their ambient readings,
        # and only those, are read besides.
        sources = load_frame(store=store, start=start, end=end, fields=[AMBIENT])
        if not sources.empty:
            windows = window_features(sources, every=timedelta(seconds=config.every_s))
            ambient = site_ambient([windows.features], [windows.meta])
    result = train_models(frame=frame, labels=labels, config=config, zones=zones, ambient=ambient)
    return registry.save(
        result.bundle,
        training_start=start,
        training_end=end,
        params=config.to_json(),
        # What the work-order outcomes changed is kept with the version, beside its figures.
        metrics={t: {**m, **result.labels.get(t, {})} for t, m in result.metrics.items()},
        data_hash=data_hash(frame),
    )
