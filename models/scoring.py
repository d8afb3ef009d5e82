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

import pandas as pd

from ingest.points import TELEMETRY, Point
from ingest.store.base import StoreError, TelemetryStore
from models.base import Decision
from models.dataquality import offline_decisions, window_quality
from models.features import window_features
from models.model import ModelConfig
from models.registry import ModelBundle, Registry, RegistryError
from models.scoring_state import ScoringState
from models.scoring_windows import score_type

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
    before, after = _config(state), _bundle_config(bundle)
    state.bundle, state.version = bundle, promoted
    # Typical readings per window depend on the window length, which a new version may change:
    # counts learned under another length would flag every new window as sparse.
    state.typical_n.clear()
    if state.assets is not None:
        same = after is not None and (after.every_s, after.slow_halflife) == (
            before.every_s,
            before.slow_halflife,
        )
        state.assets.reset_model_memory(keep_slow=same)
    log.info("scoring with model version %s", promoted)
    return True


def _config(state: ScoringState) -> ModelConfig:
    return _bundle_config(state.bundle) or ModelConfig()


def _bundle_config(bundle: ModelBundle | None) -> ModelConfig | None:
    return next(iter(bundle.models.values())).config if bundle and bundle.models else None


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
    fw = window_features(windows_done, every=every.to_pytimedelta())
    dq_flag = pd.Series(False, index=fw.features.index)
    if len(fw.features):
        dq, dq_flag = window_quality(state, fw.features, fw.meta)
        decisions += dq
    points: list[Point] = []
    scored = 0
    for asset_type, meta in fw.meta.groupby("asset_type", sort=True):
        model = state.bundle.for_type(str(asset_type)) if state.bundle else None
        if model is None:
            continue
        index = meta.index[~dq_flag.reindex(meta.index).to_numpy()]
        made, pts = score_type(state, model, fw.features.loc[index], meta.loc[index])
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
