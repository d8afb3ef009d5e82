"""Data-quality checks: a stuck sensor, missing readings, a silent gateway.

These are not equipment faults. The scoring job turns them into decisions with the ``dq_*``
fault codes (``offline_decisions``, ``window_quality``; alerts open a lower-priority work order
for them, and a decision with ``is_anomalous=False`` when the condition ends), and the windows they
flag are neither scored as equipment nor learned as healthy.

>>> import pandas as pd
>>> idx = pd.MultiIndex.from_tuples([("a1", pd.Timestamp("2026-01-01", tz="UTC"))],
...                                 names=["asset", "time"])
>>> features = pd.DataFrame({"temperature:spread": [0.0], "flow:spread": [0.4]}, index=idx)
>>> meta = pd.DataFrame({"n": [60]}, index=idx)
>>> stuck_sensors(features, meta, min_readings=10).tolist()
['temperature']
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from models.base import Decision
from models.features import HELD, SEP
from models.scoring_state import ScoringState

# A window is frozen for a metric when it repeated one value over at least this share of the
# window's readings (and ``min_readings``), though it moved in the rest.
HELD_SHARE = 0.5
# Demands and counts, not measurements: a controller's output holds its limit exactly for as
# long as it is saturated (a chiller at its 10 % minimum load for hours), so a held value of
# theirs is no frozen transmitter. Only a whole window without movement (zero spread) is.
SATURATING = ("load", "speed", "cooling_output", "trips")


def stuck_sensors(features: pd.DataFrame, meta: pd.DataFrame, *, min_readings: int) -> pd.Series:
    """Per window, the metrics whose value did not move at all over ``min_readings`` or more
    readings ("" when none). Real sensors always carry some noise; exactly zero spread is a
    frozen value (a dead transmitter, a gateway repeating its last value). So is one value
    repeated over most of the window (``HELD_SHARE``; the meta's ``<metric>:held``,
    ``models.features.held_runs``) by a measurement (not a ``SATURATING`` demand): a
    transmitter that froze and came back within the window. Its level was the frozen value,
    against conditions that moved on, and the slow features and the trend carried that one
    window into a day of alarms (a compressor's pressure held at its night value for 52 of
    the 60 minutes of a morning: 16 alarm windows, simulator seed 5)."""
    spread_cols = [c for c in features.columns if c.endswith(f"{SEP}spread")]
    if not spread_cols:
        return pd.Series("", index=features.index)
    spreads = features[spread_cols].to_numpy(dtype=float)
    n = meta["n"].reindex(features.index).to_numpy(dtype=float)
    enough = n >= min_readings
    frozen = (spreads == 0.0) & enough[:, None]
    names = np.array([c.split(SEP, 1)[0] for c in spread_cols])
    held_cols = [f"{name}{SEP}{HELD}" for name in names]
    if any(c in meta for c in held_cols):
        held = meta.reindex(index=features.index, columns=held_cols).to_numpy(dtype=float)
        measured = ~np.isin(names, SATURATING)
        long = np.nan_to_num(held) >= np.maximum(min_readings, HELD_SHARE * n)[:, None]
        frozen |= long & measured[None, :]
    out = [",".join(names[row]) if row.any() else "" for row in frozen]
    return pd.Series(out, index=features.index, dtype=object)


def sparse_windows(counts: pd.Series, typical: pd.Series, *, fraction: float) -> pd.Series:
    """True where a window holds fewer than ``fraction`` of the asset's typical reading count.

    ``counts`` is indexed (asset, time); ``typical`` by asset (unknown assets: never sparse).
    """
    expected = typical.reindex(counts.index.get_level_values("asset")).to_numpy(dtype=float)
    values = counts.to_numpy(dtype=float)
    return pd.Series(np.nan_to_num(expected) * fraction > values, index=counts.index)


def utc(value: Any) -> datetime:
    """A pandas or numpy time as a ``datetime`` (UTC kept)."""
    stamp: datetime = pd.Timestamp(value).to_pydatetime()
    return stamp


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


def offline_decisions(
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
                        utc(pd.Timestamp(seen, tz="UTC")),
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


def window_quality(
    state: ScoringState, features: pd.DataFrame, meta: pd.DataFrame, *, decide: bool = True
) -> tuple[list[Decision], pd.Series]:
    """Stuck sensors and sparse windows; returns decisions and which windows they flag.

    ``decide=False`` (priming from past windows) only flags and learns reading counts: no
    decisions, and the open stuck-sensor conditions are left as they are.
    """
    stuck = stuck_sensors(features, meta, min_readings=5)
    typical = pd.Series(state.typical_n, dtype=float)
    sparse = sparse_windows(meta["n"], typical, fraction=0.5)
    out: list[Decision] = []
    for (asset, at), metrics, is_sparse, site, asset_type, n in zip(
        features.index, stuck, sparse, meta["site"], meta["asset_type"], meta["n"], strict=True
    ):
        when = utc(at)
        if decide and metrics:
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
        elif decide and asset in state.stuck:
            state.stuck.discard(asset)
            out.append(
                _dq_decision(site, asset, asset_type, when, "dq_stuck_sensor", False, state.version)
            )
        if is_sparse:
            if decide:
                out.append(
                    _dq_decision(site, asset, asset_type, when, "dq_gap", True, state.version)
                )
        else:
            old = state.typical_n.get(asset)
            state.typical_n[asset] = float(n) if old is None else 0.9 * old + 0.1 * float(n)
    flagged = (stuck != "").to_numpy() | sparse.to_numpy()
    return out, pd.Series(flagged, index=features.index)
