"""Assets with their health, and their telemetry and anomaly scores for charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio
import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse

from api import readmodels
from api.deps import ConfigDep, CurrentKey, FleetDep, SessionDep, StoreDep
from api.fleet import AssetSnapshot
from api.health_state import SEVERITY, AssetActivity, assess
from api.schemas import AssetPage, AssetSummary, HealthState, Series
from api.timerange import resolve
from ingest.points import ANOMALY_SCORE, TELEMETRY
from ingest.presence import Presence
from ingest.store.base import TelemetryStore

router = APIRouter(prefix="/assets", tags=["assets"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such asset"}}
_TAG_COLUMNS = frozenset({"time", "site", "asset", "asset_type", "detector"})


def _summary(
    snapshot: AssetSnapshot,
    activity: AssetActivity,
    *,
    now: datetime,
    stale_after: timedelta,
    presence: Presence | None,
) -> AssetSummary:
    state, reason = assess(snapshot, activity, now=now, stale_after=stale_after, presence=presence)
    # Built from typed, internal data: skip validation (it cost ~30 ms for 1,000 assets).
    return AssetSummary.model_construct(
        asset=snapshot.asset,
        site=snapshot.site,
        asset_type=snapshot.asset_type,
        state=state,
        state_reason=reason,
        last_seen=snapshot.last_seen,
        last_metrics=snapshot.metrics,
        score=snapshot.score,
        threshold=snapshot.threshold,
        open_alerts=activity.open_alerts,
        open_work_orders=activity.open_work_orders,
        online=None if presence is None else presence.online,
        online_since=None if presence is None else presence.since,
    )


def summaries(
    request: Request, fleet: FleetDep, config: ConfigDep, session: SessionDep
) -> list[AssetSummary]:
    activity = request.app.state.activity(session)
    now = datetime.now(UTC)
    stale = timedelta(seconds=config.stale_after_s)
    snapshots = {snap.asset: snap for snap in fleet.snapshot()}
    # Assets in the registry but silent for longer than the index looks back still count.
    for site, asset, asset_type in readmodels.registered_assets(session):
        snapshots.setdefault(asset, AssetSnapshot(asset=asset, site=site, asset_type=asset_type))
    presence = {p.asset: p for p in fleet.presence.all()}
    # A gateway known only by its presence (a Sparkplug edge node's own asset) is listed too.
    for p in presence.values():
        snapshots.setdefault(p.asset, AssetSnapshot(asset=p.asset, site=p.site, asset_type=""))
    items = [
        _summary(
            snap,
            activity.get(name, AssetActivity()),
            now=now,
            stale_after=stale,
            presence=presence.get(name),
        )
        for name, snap in snapshots.items()
    ]
    # Worst first; within a state, the highest score first, then by name for a stable order.
    items.sort(key=lambda a: (SEVERITY[a.state], -(a.score or 0.0) / (a.threshold or 1.0), a.asset))
    return items


@router.get(
    "",
    response_model=AssetPage,
    response_class=JSONResponse,
    summary="Assets with their health, worst first",
)
def list_assets(
    request: Request,
    fleet: FleetDep,
    config: ConfigDep,
    session: SessionDep,
    key: CurrentKey,
    site: Annotated[str | None, Query(max_length=200)] = None,
    asset_type: Annotated[str | None, Query(max_length=200)] = None,
    state: HealthState | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Substring of the asset id")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    items = summaries(request, fleet, config, session)
    items = [
        a
        for a in items
        if (site is None or a.site == site)
        and (asset_type is None or a.asset_type == asset_type)
        and (q is None or q.lower() in a.asset.lower())
    ]
    counts = dict.fromkeys(HealthState, 0)
    for a in items:
        counts[a.state] += 1
    if state is not None:
        items = [a for a in items if a.state == state]
    page = AssetPage.model_construct(
        items=items[offset : offset + limit], total=len(items), counts=counts
    )
    # Serialised directly: FastAPI would validate the 1,000 items again on the way out.
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/{asset}", response_model=AssetSummary, responses=_NOT_FOUND, summary="One asset")
def get_asset(
    asset: str,
    request: Request,
    fleet: FleetDep,
    config: ConfigDep,
    session: SessionDep,
    key: CurrentKey,
) -> AssetSummary:
    snapshot = fleet.get(asset)
    presence = fleet.presence.get(asset)
    if snapshot is None:
        record = readmodels.asset_record(session, asset=asset)
        if record is not None:
            snapshot = AssetSnapshot(asset=asset, site=record.site, asset_type=record.asset_type)
        elif presence is not None:
            snapshot = AssetSnapshot(asset=asset, site=presence.site, asset_type="")
        else:
            raise HTTPException(404, detail=f"no asset {asset!r} is known")
    activity = request.app.state.activity(session).get(asset, AssetActivity())
    return _summary(
        snapshot,
        activity,
        now=datetime.now(UTC),
        stale_after=timedelta(seconds=config.stale_after_s),
        presence=presence,
    )


def series(
    frame: pd.DataFrame,
    *,
    asset: str,
    measurement: str,
    start: datetime,
    end: datetime,
    every: timedelta,
) -> Series:
    fields = [
        c
        for c in frame.columns
        if c not in _TAG_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])
    ]
    # Several series of one asset (one per detector) fall into the same bucket: average them.
    merged = frame.groupby("time", sort=True)[fields].mean() if not frame.empty else None
    times = [] if merged is None else [int(t.timestamp() * 1000) for t in merged.index]
    values = {
        name: [] if merged is None else [None if pd.isna(v) else float(v) for v in merged[name]]
        for name in fields
    }
    return Series(
        asset=asset,
        measurement=measurement,
        start=start,
        end=end,
        every_s=int(every.total_seconds()),
        time=times,
        fields=values,
    )


@dataclass(frozen=True, slots=True)
class ChartWindow:
    """The time range and bucket width of one chart query."""

    start: datetime
    end: datetime
    every: timedelta

    async def read(
        self, store: TelemetryStore, *, asset: str, measurement: str, **filters: Any
    ) -> Series:
        frame = await anyio.to_thread.run_sync(
            lambda: store.query(
                measurement=measurement,
                start=self.start,
                end=self.end,
                assets=[asset],
                every=self.every,
                **filters,
            )
        )
        return series(
            frame,
            asset=asset,
            measurement=measurement,
            start=self.start,
            end=self.end,
            every=self.every,
        )


def chart_window(
    config: ConfigDep,
    start: Annotated[datetime | None, Query(description="Default: 24 h before end")] = None,
    end: Annotated[datetime | None, Query(description="Default: now")] = None,
    max_points: Annotated[int, Query(ge=10, le=10_000)] = 500,
) -> ChartWindow:
    span = resolve(start, end)
    every = span.step_for(min(max_points, config.max_chart_points))
    return ChartWindow(start=span.start, end=span.end, every=every)


ChartDep = Annotated[ChartWindow, Depends(chart_window)]


@router.get(
    "/{asset}/telemetry",
    response_model=Series,
    summary="Telemetry of one asset, averaged server-side to at most max_points",
)
async def telemetry(
    asset: str,
    store: StoreDep,
    window: ChartDep,
    key: CurrentKey,
    metrics: Annotated[list[str] | None, Query(max_length=50, description="Default: all")] = None,
) -> Series:
    return await window.read(store, asset=asset, measurement=TELEMETRY, fields=metrics)


@router.get(
    "/{asset}/scores",
    response_model=Series,
    summary="Anomaly scores and thresholds of one asset, averaged to at most max_points",
)
async def scores(
    asset: str,
    store: StoreDep,
    window: ChartDep,
    key: CurrentKey,
    detector: Annotated[str | None, Query(max_length=100)] = None,
) -> Series:
    return await window.read(
        store,
        asset=asset,
        measurement=ANOMALY_SCORE,
        fields=["score", "threshold"],
        where={"detector": detector} if detector else None,
    )


@router.get(
    "/{asset}/remaining-life",
    response_model=Series,
    summary="Predicted remaining life of one asset over time, in days, with its 90 % interval",
)
async def remaining_life(asset: str, store: StoreDep, window: ChartDep, key: CurrentKey) -> Series:
    """``rul_days`` and its interval ``rul_low_days`` .. ``rul_high_days`` as the scorer
    predicted them at each window (absent while no failure is in sight), and ``rul_learned``:
    1 where the estimate came from the model learned from confirmed failures, 0 where from the
    degradation trend."""
    return await window.read(
        store,
        asset=asset,
        measurement=ANOMALY_SCORE,
        fields=["rul_days", "rul_low_days", "rul_high_days", "rul_learned"],
    )
