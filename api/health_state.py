"""One health state per asset, from its latest score and its open alerts and work orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.fleet import AssetSnapshot
from api.schemas import HealthState
from ingest.presence import Presence

# A score above this share of its threshold is worth watching before it alarms.
WATCH_RATIO = 0.8
SEVERITY = {state: rank for rank, state in enumerate(HealthState)}


@dataclass(frozen=True, slots=True)
class AssetActivity:
    """What the alerts and work orders say about one asset right now."""

    firing: tuple[str, ...] = ()  # fault codes of firing alerts
    pending: tuple[str, ...] = ()
    silenced: bool = False
    urgent: bool = False  # an open urgent work order
    open_alerts: int = 0
    open_work_orders: int = 0


def assess(
    snapshot: AssetSnapshot,
    activity: AssetActivity,
    *,
    now: datetime,
    stale_after: timedelta,
    presence: Presence | None = None,
) -> tuple[HealthState, str]:
    if activity.urgent:
        return HealthState.critical, "urgent work order open"
    if activity.firing and not activity.silenced:
        return HealthState.warning, "alert firing: " + ", ".join(sorted(set(activity.firing)))
    if activity.silenced:
        return HealthState.maintenance, "silenced for planned work"
    if presence is not None and not presence.online:
        return HealthState.no_data, f"gateway offline since {presence.since:%Y-%m-%d %H:%M:%S} UTC"
    if snapshot.last_seen is None or now - snapshot.last_seen > stale_after:
        return HealthState.no_data, "no recent readings"
    if activity.pending:
        return HealthState.watch, "alert pending: " + ", ".join(sorted(set(activity.pending)))
    ratio = snapshot.score_ratio
    if ratio is not None and ratio >= WATCH_RATIO:
        return HealthState.watch, f"score at {ratio:.0%} of its threshold"
    return HealthState.ok, "normal"
