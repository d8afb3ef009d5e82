"""The scoring job: every cycle, score every asset with new data and hand decisions on.

One bulk query reads the telemetry that arrived since the last cycle (never whole windows again);
readings of a window still open wait in the state. Each completed window is normalised against
its asset's baseline, scored by the promoted model of its asset type, written back as an
``anomaly_score`` point for the charts, and turned into a ``Decision`` for the alerts layer. A new
promoted version is picked up at the start of the next cycle, without a restart.

Failures are explicit: a store that cannot be queried raises before any state changes (the next
cycle reads the same range again); scores the store refuses are reported in the ``CycleReport``
after the decisions went out. Known limit: a reading stored after a cycle has read past its
timestamp (a gateway replaying an hour of buffered readings) is not scored; its window is
scored with the readings that were there, and a thin window is flagged ``dq_gap``.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ingest.points import ANOMALY_SCORE, TELEMETRY, Point
from ingest.store.base import StoreError, TelemetryStore
from models.base import Decision
from models.dataquality import sparse_windows, stuck_sensors
from models.detectors.trend import crossing_time
from models.features import Baselines, window_features
from models.model import ModelConfig, TypeModel
from models.registry import Registry, RegistryError
from models.scoring_state import AssetRows, ScoringState
from models.smoothing import alpha, ewm_step, slow_name, slow_sources, warmup
from models.thresholds import fault_code, top_contributions

log = logging.getLogger(__name__)

OnDecisions = Callable[[list[Decision]], None]


@dataclass(frozen=True, slots=True)
class CycleReport:
    at: datetime
    model_version: str | None
    reloaded: bool
    rows_read: int
    windows: int
    assets_scored: int
    decisions: int
    anomalous: int
    data_quality: int
    seconds: float
    # Scores are for charts only: when the store refuses them the decisions still went out, and
    # the error is reported here rather than raised (the windows are not scored twice).
    scores_written: int = 0
    score_write_error: str | None = None


def in_shard(asset: str, shard: tuple[int, int]) -> bool:
    """Stable across processes and restarts (crc32, not Python's salted ``hash``)."""
    index, count = shard
    return count <= 1 or zlib.crc32(asset.encode()) % count == index


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` (the ``scoring_shard`` setting) as ``(i, n)``.

    >>> parse_shard("1/4")
    (1, 4)
    """
    index, _, count = text.partition("/")
    try:
        shard = int(index), int(count)
    except ValueError:
        raise ValueError(f"expected a shard like 0/2, got {text!r}") from None
    if not 0 <= shard[0] < shard[1]:
        raise ValueError(f"expected 0 <= i < n in shard i/n, got {text!r}")
    return shard


def _refresh_model(state: ScoringState, registry: Registry) -> bool:
    try:
        promoted = registry.promoted()
        if promoted == state.version:
            return False
        bundle = registry.load(promoted) if promoted else None
    except (RegistryError, OSError, ValueError) as error:
        # Keep scoring with the model we have; a broken version must not stop the scorer.
        log.error("model reload failed, keeping %s: %s", state.version, error)
        return False
    state.bundle, state.version = bundle, promoted
    if state.assets is not None:
        state.assets.reset_model_memory()
    log.info("scoring with model version %s", promoted)
    return True


def _config(state: ScoringState) -> ModelConfig:
    if state.bundle and state.bundle.models:
        return next(iter(state.bundle.models.values())).config
    return ModelConfig()


def _ts(value: Any) -> datetime:
    stamp: datetime = pd.Timestamp(value).to_pydatetime()
    return stamp


def score_cycle(
    *,
    store: TelemetryStore,
    registry: Registry,
    now: datetime,
    state: ScoringState,
    on_decisions: OnDecisions,
    shard: tuple[int, int] = (0, 1),
    offline_after: timedelta | None = None,
) -> CycleReport:
    """One cycle. ``offline_after`` defaults to three windows without a reading."""
    started = time.perf_counter()
    reloaded = _refresh_model(state, registry)
    config = _config(state)
    every = pd.Timedelta(seconds=config.every_s)
    start = state.query_end or (pd.Timestamp(now).floor(every) - every).to_pydatetime()
    raw = store.query(measurement=TELEMETRY, start=start, end=now)
    state.query_end = now
    if not raw.empty and shard[1] > 1:
        mine = {a: in_shard(a, shard) for a in raw["asset"].unique()}
        raw = raw[raw["asset"].map(mine).to_numpy(dtype=bool)]
    decisions: list[Decision] = []
    decisions += _offline_decisions(state, raw, now, offline_after or 3 * every)
    pending = pd.concat([state.pending, raw], ignore_index=True) if len(state.pending) else raw
    if pending.empty:
        state.pending = pending
        windows_done = pd.DataFrame()
    else:
        closes = pd.to_datetime(pending["time"], utc=True).dt.floor(every) + every
        complete = (closes <= pd.Timestamp(now)).to_numpy()
        state.pending = pending[~complete]
        windows_done = pending[complete]
    fw = window_features(windows_done, every=every.to_pytimedelta())
    dq_flag = pd.Series(False, index=fw.features.index)
    if len(fw.features):
        dq, dq_flag = _window_quality(state, fw.features, fw.meta)
        decisions += dq
    points: list[Point] = []
    scored = 0
    for asset_type, meta in fw.meta.groupby("asset_type", sort=True):
        model = state.bundle.for_type(str(asset_type)) if state.bundle else None
        if model is None:
            continue
        index = meta.index[~dq_flag.reindex(meta.index).to_numpy()]
        made, pts = _score_type(state, model, fw.features.loc[index], meta.loc[index])
        decisions += made
        points += pts
        scored += len(set(index.get_level_values("asset")))
    if decisions:
        decisions.sort(key=lambda d: d.at)
        on_decisions(decisions)
    write_error = None
    try:
        if points:
            store.write(points)
    except StoreError as error:
        write_error = str(error)
        log.warning("anomaly scores not written (%d points): %s", len(points), error)
    return CycleReport(
        at=now,
        model_version=state.version,
        reloaded=reloaded,
        rows_read=len(raw),
        windows=len(fw.features),
        assets_scored=scored,
        decisions=len(decisions),
        anomalous=sum(d.is_anomalous for d in decisions),
        data_quality=sum(d.fault_code.startswith("dq_") for d in decisions),
        seconds=time.perf_counter() - started,
        scores_written=0 if write_error else len(points),
        score_write_error=write_error,
    )


def _dq_decision(
    site: str,
    asset: str,
    asset_type: str,
    at: datetime,
    code: str,
    on: bool,
    version: str | None,
    contributions: dict[str, float] | None = None,
) -> Decision:
    return Decision(
        site=site,
        asset=asset,
        asset_type=asset_type,
        at=at,
        fault_code=code,
        score=1.0 if on else 0.0,
        threshold=0.5,
        is_anomalous=on,
        detector="data_quality",
        model_version=version or "",
        contributions=contributions or {},
    )


def _offline_decisions(
    state: ScoringState, raw: pd.DataFrame, now: datetime, after: timedelta
) -> list[Decision]:
    out: list[Decision] = []
    if not raw.empty:
        last = raw.groupby("asset", sort=False).agg(
            site=("site", "last"), asset_type=("asset_type", "last"), time=("time", "max")
        )
        seen_ns = pd.to_datetime(last["time"], utc=True).dt.as_unit("ns").astype("int64")
        for asset, site, asset_type, seen in zip(
            last.index, last["site"], last["asset_type"], seen_ns.tolist(), strict=True
        ):
            state.last_seen[asset] = (site, asset_type, seen)
            if asset in state.offline:
                state.offline.discard(asset)
                out.append(
                    _dq_decision(
                        site,
                        asset,
                        asset_type,
                        _ts(pd.Timestamp(seen, tz="UTC")),
                        "dq_gateway_offline",
                        False,
                        state.version,
                    )
                )
    limit = pd.Timestamp(now).value - pd.Timedelta(after).value
    for asset, (site, asset_type, last_ns) in state.last_seen.items():
        if last_ns < limit and asset not in state.offline:
            state.offline.add(asset)
            out.append(
                _dq_decision(
                    site, asset, asset_type, now, "dq_gateway_offline", True, state.version
                )
            )
    return out


def _window_quality(
    state: ScoringState, features: pd.DataFrame, meta: pd.DataFrame
) -> tuple[list[Decision], pd.Series]:
    """Stuck sensors and sparse windows; returns decisions and which windows they flag."""
    stuck = stuck_sensors(features, meta, min_readings=5)
    typical = pd.Series(state.typical_n, dtype=float)
    sparse = sparse_windows(meta["n"], typical, fraction=0.5)
    out: list[Decision] = []
    for (asset, at), metrics, is_sparse, site, asset_type, n in zip(
        features.index, stuck, sparse, meta["site"], meta["asset_type"], meta["n"], strict=True
    ):
        when = _ts(at)
        if metrics:
            state.stuck.add(asset)
            out.append(
                _dq_decision(
                    site,
                    asset,
                    asset_type,
                    when,
                    "dq_stuck_sensor",
                    True,
                    state.version,
                    dict.fromkeys(metrics.split(","), 1.0),
                )
            )
        elif asset in state.stuck:
            state.stuck.discard(asset)
            out.append(
                _dq_decision(site, asset, asset_type, when, "dq_stuck_sensor", False, state.version)
            )
        if is_sparse:
            out.append(_dq_decision(site, asset, asset_type, when, "dq_gap", True, state.version))
        else:
            old = state.typical_n.get(asset)
            state.typical_n[asset] = float(n) if old is None else 0.9 * old + 0.1 * float(n)
    flagged = (stuck != "").to_numpy() | sparse.to_numpy()
    return out, pd.Series(flagged, index=features.index)


def _normalise(
    state: ScoringState, model: TypeModel, features: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """Robust z against each asset's baseline, and which rows are still cold (warming up)."""
    assets = features.index.get_level_values("asset")
    known = np.asarray(assets.isin(model.baselines.assets))
    ts = state.type_state(model.asset_type)
    own = np.asarray(assets.isin(ts.own.assets)) if ts.own else np.zeros(len(assets), bool)
    cold = ~known & ~own
    if cold.any():
        # Warm-up windows are learned only when no data-quality check flagged them (the caller
        # has removed those) and the asset has no baseline yet: never learned from an alarm.
        ts.warming = pd.concat([ts.warming, features[cold]]) if len(ts.warming) else features[cold]
        counts = ts.warming.groupby(level="asset").size()
        ready = counts.index[counts >= model.config.warmup_windows]
        if len(ready):
            rows = ts.warming.index.get_level_values("asset").isin(ready)
            learned = Baselines.fit(ts.warming[rows][model.baselines.columns])
            ts.add_baselines(learned.floored_by(model.baselines))
            ts.warming = ts.warming[~rows]
    z = model.baselines.normalise(features)
    if ts.own is not None and own.any():
        z.loc[own] = ts.own.normalise(features[own]).reindex(columns=z.columns).to_numpy()
    return z, cold


def _with_slow(
    table: AssetRows, model: TypeModel, features: pd.DataFrame, rows: np.ndarray, rank: np.ndarray
) -> pd.DataFrame:
    """``features`` plus the slow columns, from each asset's running mean (same as ``add_slow``)."""
    sources = slow_sources(features.columns)
    if model.config.slow_halflife <= 0 or not sources:
        return features
    table.use_slow_columns(sources)
    values = features[sources].to_numpy(dtype=float)
    out = np.empty_like(values)
    a = alpha(model.config.slow_halflife)
    young = warmup(model.config.slow_halflife)
    for k in range(int(rank.max()) + 1):
        sel = np.flatnonzero(rank == k)
        table.slow[rows[sel]] = ewm_step(table.slow[rows[sel]], values[sel], a)
        table.seen[rows[sel]] += 1
        out[sel] = np.where(
            (table.seen[rows[sel]] <= young)[:, None], np.nan, table.slow[rows[sel]]
        )
    slow = pd.DataFrame(out, index=features.index, columns=[slow_name(c) for c in sources])
    return pd.concat([features, slow], axis=1)


def _score_type(
    state: ScoringState, model: TypeModel, features: pd.DataFrame, meta: pd.DataFrame
) -> tuple[list[Decision], list[Point]]:
    table = state.rows_for(model.trend.span, model.trend.smooth)
    rows_all = table.rows(list(features.index.get_level_values("asset")))
    # Rounds: the k-th new window of every asset at once (usually a single round per cycle).
    rank = features.groupby(level="asset", sort=False).cumcount().to_numpy()
    features = _with_slow(table, model, features, rows_all, rank)
    z, cold = _normalise(state, model, features)
    frame = z.reindex(columns=model.columns)
    score = model.detector.score(frame).to_numpy()
    hi = model.trend.health(frame).to_numpy()
    t_days = (
        np.asarray(
            pd.DatetimeIndex(features.index.get_level_values("time")).as_unit("s").asi8, dtype=float
        )
        / 86400.0
    )
    trend_score = np.zeros(len(frame))
    failure_at: list[datetime | None] = [None] * len(frame)
    alarm = np.zeros(len(frame), dtype=bool)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        sel = np.flatnonzero((rank == k) & ~cold)
        if not len(sel):
            continue
        rows = rows_all[sel]
        table.push(rows, t_days[sel], hi[sel])
        ts_, slope, level = model.trend.project(table.t[rows], table.hi[rows])
        trend_score[sel] = ts_
        crossing = crossing_time(
            slope, level, t_days[sel], model.trend.failure_z, model.trend.max_lead_days
        )
        for pos, moment in zip(sel, crossing, strict=True):
            failure_at[pos] = None if pd.isna(moment) else moment.to_pydatetime()
        over = model.threshold.exceeded(score[sel]) | model.trend_threshold.exceeded(ts_)
        table.runs[rows] = np.where(over, table.runs[rows] + 1, 0)
        alarm[sel] = table.runs[rows] >= model.config.persistence
    ratio_main = score / model.threshold.value
    ratio_trend = trend_score / model.trend_threshold.value
    use_trend = ratio_trend > ratio_main
    explain_rows = np.flatnonzero(alarm)
    contributions: dict[int, dict[str, float]] = {}
    for rows_of, source in (
        (explain_rows[~use_trend[explain_rows]], model.detector),
        (explain_rows[use_trend[explain_rows]], model.trend),
    ):
        if len(rows_of):
            tops = top_contributions(source.explain(frame.iloc[rows_of]))
            contributions.update(zip(rows_of.tolist(), tops, strict=True))
    version = state.version or ""
    decisions: list[Decision] = []
    points: list[Point] = []
    for i, ((asset, at), site) in enumerate(zip(features.index, meta["site"], strict=True)):
        when = _ts(at) + timedelta(seconds=model.config.every_s)  # decided at window end
        trend_wins = bool(use_trend[i])
        value = float(trend_score[i] if trend_wins else score[i])
        limit = model.trend_threshold.value if trend_wins else model.threshold.value
        detector = model.trend.name if trend_wins else model.detector.name
        parts = contributions.get(i, {})
        decisions.append(
            Decision(
                site=site,
                asset=asset,
                asset_type=model.asset_type,
                at=when,
                fault_code=fault_code(parts) if parts else "anomaly",
                score=0.0 if cold[i] else value,
                threshold=limit,
                is_anomalous=bool(alarm[i]),
                detector=detector,
                model_version=version,
                contributions=parts,
                predicted_failure_at=failure_at[i],
                cold_start=bool(cold[i]),
            )
        )
        if not cold[i]:
            points.append(
                Point(
                    measurement=ANOMALY_SCORE,
                    tags={
                        "site": site,
                        "asset": asset,
                        "asset_type": model.asset_type,
                        "detector": model.detector.name,
                    },
                    fields={
                        "score": float(score[i]),
                        "threshold": model.threshold.value,
                        "trend_score": float(trend_score[i]),
                    },
                    ts_ms=int(pd.Timestamp(at).value // 1_000_000),
                )
            )
    return decisions, points


def add_scoring_job(
    scheduler: Any,
    *,
    store: TelemetryStore,
    registry: Registry,
    on_decisions: OnDecisions,
    interval_s: float = 10.0,
    shard: tuple[int, int] = (0, 1),
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    on_report: Callable[[CycleReport], None] | None = None,
) -> Any:
    """Add the cycle as an APScheduler 3 interval job; returns the job. One state per job; a
    cycle that overruns makes the next one wait (``max_instances=1``, ``coalesce``)."""
    state = ScoringState()

    def run() -> None:
        report = score_cycle(
            store=store,
            registry=registry,
            now=clock(),
            state=state,
            on_decisions=on_decisions,
            shard=shard,
        )
        if on_report is not None:
            on_report(report)

    return scheduler.add_job(
        run,
        "interval",
        seconds=interval_s,
        id="vigil-scoring",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
