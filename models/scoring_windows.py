"""Scoring the completed windows of one asset type: per-asset baselines and warm-up, slow
features, the detector, the degradation trend and persistence, in vectorised rounds.

Split from ``models.scoring`` (the cycle) so that each file reads in one sitting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from ingest.points import ANOMALY_SCORE, Point
from models.base import Decision
from models.context import local_clock
from models.dataquality import utc
from models.features import Baselines
from models.model import TypeModel
from models.rul import live
from models.rul.trend import failure_window
from models.scoring_state import AssetRows, ScoringState
from models.smoothing import alpha, ewm_step, slow_name, slow_sources, warmup
from models.thresholds import fault_code, top_contributions


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


def score_type(
    state: ScoringState,
    model: TypeModel,
    features: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    priming: bool = False,
) -> tuple[list[Decision], list[Point]]:
    """Decisions and score points for one type's completed windows. ``priming``: the windows
    only fill the model's memory (their decisions are dropped), so no remaining life is
    predicted for them."""
    if features.empty:  # every window of this type was held back for data quality
        return [], []
    table = state.rows_for(model.trend.span, model.trend.smooth)
    rows_all = table.rows(list(features.index.get_level_values("asset")))
    # Rounds: the k-th new window of every asset at once (usually a single round per cycle).
    rank = features.groupby(level="asset", sort=False).cumcount().to_numpy()
    features = _with_slow(table, model, features, rows_all, rank)
    z, cold = _normalise(state, model, features)
    clock = (
        local_clock(features.index, sites=list(meta["site"]), zones=state.zones)
        if model.context.time_inputs
        else None
    )
    frame = model.frame(z, clock)
    score = model.detector.score(frame).to_numpy()
    hi = model.trend.health(frame).to_numpy()
    t_days = (
        np.asarray(
            pd.DatetimeIndex(features.index.get_level_values("time")).as_unit("s").asi8, dtype=float
        )
        / 86400.0
    )
    trend_score = np.zeros(len(frame))
    failure: list[tuple[datetime | None, ...]] = [(None, None, None)] * len(frame)
    alarm = np.zeros(len(frame), dtype=bool)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        sel = np.flatnonzero((rank == k) & ~cold)
        if not len(sel):
            continue
        rows = rows_all[sel]
        table.push(rows, t_days[sel], hi[sel])
        ts_, _, _ = model.trend.project(table.t[rows], table.hi[rows])
        trend_score[sel] = ts_
        window = failure_window(model.trend, table.t[rows], table.hi[rows])
        for pos, moments in zip(sel, zip(*window, strict=True), strict=True):
            failure[pos] = tuple(None if pd.isna(m) else m.to_pydatetime() for m in moments)
        over = model.over(frame.iloc[sel], score[sel], ts_)
        table.runs[rows] = np.where(over, table.runs[rows] + 1, 0)
        alarm[sel] = table.runs[rows] >= model.config.persistence
    rul_source = live.TREND
    if model.rul is not None and live.usable(model.rul, z.columns):
        learned = _learned(state, model, z, cold, priming=priming)
        if learned is not None:
            failure, rul_source = learned, live.LEARNED
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
        when = utc(at) + timedelta(seconds=model.config.every_s)  # decided at window end
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
                predicted_failure_at=failure[i][0],
                predicted_failure_low=failure[i][1],
                predicted_failure_high=failure[i][2],
                rul_source=rul_source if any(m is not None for m in failure[i]) else None,
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
                        **remaining_days(failure[i], when, learned=rul_source == live.LEARNED),
                    },
                    ts_ms=int(pd.Timestamp(at).value // 1_000_000),
                )
            )
    return decisions, points


def remaining_days(
    failure: tuple[datetime | None, ...], now: datetime, *, learned: bool = False
) -> dict[str, float]:
    """The remaining life in days (``rul_days``, ``rul_low_days``, ``rul_high_days``) for the
    asset page's chart of the estimate over time; only the ends that are known; and, when any
    is, ``rul_learned`` (1 from the learned model, 0 from the trend) for the chart to say which.
    """
    names = ("rul_days", "rul_low_days", "rul_high_days")
    days = {
        name: max((moment - now).total_seconds() / 86400, 0.0)
        for name, moment in zip(names, failure, strict=True)
        if moment is not None
    }
    if days:
        days["rul_learned"] = 1.0 if learned else 0.0
    return days


def _learned(
    state: ScoringState,
    model: TypeModel,
    z: pd.DataFrame,
    cold: np.ndarray,
    *,
    priming: bool,
) -> list[tuple[datetime | None, ...]] | None:
    """The learned model's failure time and interval per window (None for cold windows), from
    each asset's remembered history of normalised windows ``z``; None while priming (the
    windows are only remembered)."""
    assert model.rul is not None
    memory = state.rul_history(
        model.asset_type, model.config.rul_history_windows, model.rul.features.sensors
    )
    memory.add(z[~cold])
    if priming:
        return None
    every = timedelta(seconds=model.config.every_s)
    predicted = memory.failure(model.rul, z.index, every=every)
    return [
        (None, None, None)
        if cold[i]
        else tuple(None if pd.isna(m) else pd.Timestamp(m).to_pydatetime() for m in row)
        for i, row in enumerate(predicted[list(live.NAMES)].itertuples(index=False))
    ]
