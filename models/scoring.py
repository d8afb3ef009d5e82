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
import math
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from ingest.points import TELEMETRY, Point
from ingest.store.base import StoreError, TelemetryStore
from models.base import Decision
from models.dataquality import offline_decisions, window_quality
from models.features import FeatureWindows, window_features
from models.model import ModelConfig, TypeModel
from models.registry import Registry, RegistryError
from models.scoring_state import ScoringState
from models.scoring_windows import score_type
from models.site_ambient import fill_site_ambient, site_ambient
from models.smoothing import warmup

log = logging.getLogger(__name__)
# How often the scoring job re-reads the sites' time zones (a new site, a corrected zone).
ZONES_REFRESH_S = 60.0

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
    # Past windows run through a newly loaded version's memory before this cycle (``_prime``).
    primed_windows: int = 0


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
    # Typical readings per window depend on the window length, which a new version may change:
    # counts learned under another length would flag every new window as sparse.
    state.typical_n.clear()
    if state.assets is not None:
        state.assets.reset_model_memory()
    state.rul.clear()
    log.info("scoring with model version %s", promoted)
    return True


def _config(state: ScoringState) -> ModelConfig:
    if state.bundle and state.bundle.models:
        return next(iter(state.bundle.models.values())).config
    return ModelConfig()


def prime_windows(model: TypeModel) -> int:
    """Windows read back when a version is loaded: enough for a whole trend line after the slow
    means have settled, and for the learned remaining life's history where there is one, so the
    first live window is decided as in the middle of a stream."""
    trend = model.trend.span + model.trend.smooth + warmup(model.config.slow_halflife)
    # A learned remaining life reads each asset's last ``rul_history_windows`` windows.
    return max(trend, model.config.rul_history_windows if model.rul is not None else 0)


def _prime(
    state: ScoringState, store: TelemetryStore, stop: pd.Timestamp, shard: tuple[int, int]
) -> int:
    """Run the windows before ``stop`` through the model's memory (slow means, trend lines,
    persistence runs, warm-up baselines, reading counts) without deciding anything.

    Without this, every promotion and every scorer restart started with empty memory: the trend
    had no line for ``span`` windows and the first slow means, each from a handful of windows,
    made healthy assets look drifted (a false work order in the demo two minutes in). Assets
    the model has no baseline for are left to warm up on live windows. Read in
    chunks of at least ten minutes, one window at the least, so memory stays bounded at hourly
    windows and many assets. Returns the number of windows primed.
    """
    assert state.bundle is not None
    every = pd.Timedelta(seconds=_config(state).every_s)
    chunk = max(every, pd.Timedelta(minutes=10) // every * every)
    at = stop - max((prime_windows(m) for m in state.bundle.models.values()), default=0) * every
    windows = 0
    while at < stop:
        upto = min(at + chunk, stop)
        raw = _mine(store.query(measurement=TELEMETRY, start=at, end=upto), shard)
        fw = _windows(raw, every)
        windows += len(fw.features)
        if len(fw.features):
            _, flagged = window_quality(state, fw.features, fw.meta, decide=False)
            _score_windows(state, fw.features, fw.meta, flagged, known_only=True)
        at = upto
    return windows


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
    primed = 0
    if reloaded and state.bundle is not None:
        # Readings held for a window still open under the previous version's windows (one hour
        # by default before any model) can be far older than the new version's open window:
        # those before it are the primed windows' business, and must not be scored as live.
        open_window = pd.Timestamp(start).floor(every)
        if len(state.pending):
            times = pd.to_datetime(state.pending["time"], utc=True)
            state.pending = state.pending[(times >= open_window).to_numpy()]
        try:
            primed = _prime(state, store, open_window, shard)
        except StoreError:
            state.version = None  # load, reset and prime again next cycle
            raise
        log.info("primed %s with %d windows before %s", state.version, primed, start)
    raw = _mine(store.query(measurement=TELEMETRY, start=start, end=now), shard)
    state.query_end = now
    decisions: list[Decision] = []
    decisions += offline_decisions(state, raw, now, offline_after or 3 * every)
    pending = pd.concat([state.pending, raw], ignore_index=True) if len(state.pending) else raw
    if pending.empty:
        state.pending = pending
        windows_done = pd.DataFrame()
    else:
        closes = pd.to_datetime(pending["time"], utc=True).dt.floor(every) + every
        complete = (closes <= pd.Timestamp(now)).to_numpy()
        state.pending = pending[~complete]
        windows_done = pending[complete]
    fw = _windows(windows_done, every)
    dq_flag = pd.Series(False, index=fw.features.index)
    if len(fw.features):
        dq, dq_flag = window_quality(state, fw.features, fw.meta)
        decisions += dq
    made, points, scored = _score_windows(state, fw.features, fw.meta, dq_flag)
    decisions += made
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
        primed_windows=primed,
    )


def _windows(rows: pd.DataFrame, every: pd.Timedelta) -> FeatureWindows:
    """Window features of completed windows, with the site's ambient for the assets that
    report none (``models.site_ambient``), as at training. The site's ambient sources must be
    among ``rows``: with several scorers, only those of this scorer's shard are (a known limit:
    their windows are then judged without the site's ambient)."""
    fw = window_features(rows, every=every.to_pytimedelta())
    if fw.features.empty:
        return fw
    ambient = site_ambient([fw.features], [fw.meta])
    features, _ = fill_site_ambient(fw.features, fw.meta, ambient)
    return FeatureWindows(features, fw.meta)


def _mine(raw: pd.DataFrame, shard: tuple[int, int]) -> pd.DataFrame:
    if raw.empty or shard[1] <= 1:
        return raw
    mine = {a: in_shard(a, shard) for a in raw["asset"].unique()}
    return raw[raw["asset"].map(mine).to_numpy(dtype=bool)]


def _score_windows(
    state: ScoringState,
    features: pd.DataFrame,
    meta: pd.DataFrame,
    flagged: pd.Series,
    *,
    known_only: bool = False,
) -> tuple[list[Decision], list[Point], int]:
    """Completed windows, except those flagged for data quality, through the promoted model
    of their asset type: decisions, score points, and how many assets were scored.

    ``known_only`` (priming) leaves out assets without a baseline yet: they warm up on live
    windows, as they did before priming existed.
    """
    decisions: list[Decision] = []
    points: list[Point] = []
    scored = 0
    for asset_type, part in meta.groupby("asset_type", sort=True):
        model = state.bundle.for_type(str(asset_type)) if state.bundle else None
        if model is None:
            continue
        keep = ~flagged.reindex(part.index).to_numpy()
        if known_only:
            own = state.type_state(str(asset_type)).own
            known = set(model.baselines.assets) | set(own.assets if own else [])
            keep &= part.index.get_level_values("asset").isin(known)
        index = part.index[keep]
        made, pts = score_type(
            state, model, features.loc[index], part.loc[index], priming=known_only
        )
        decisions += made
        points += pts
        scored += len(set(index.get_level_values("asset")))
    return decisions, points, scored


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
    zones: Callable[[], Mapping[str, str]] | None = None,
) -> Any:
    """Add the cycle as an APScheduler 3 interval job; returns the job. One state per job; a
    cycle that overruns makes the next one wait (``max_instances=1``, ``coalesce``).
    ``zones`` gives each site's time zone (site code -> IANA name), read every cycle so a new
    site is scored in its local time within ``ZONES_REFRESH_S``; a failed read keeps the zones
    it had (logged), it never stops the cycle."""
    state = ScoringState()
    read_at = [-math.inf]

    def run() -> None:
        if zones is not None and time.monotonic() - read_at[0] >= ZONES_REFRESH_S:
            try:
                state.zones = dict(zones())
                read_at[0] = time.monotonic()
            except Exception as error:  # a database hiccup must not stop scoring
                log.warning("site time zones not read, keeping the last ones: %s", error)
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
