"""Evaluation with the metrics the public leaderboards use.

Point-wise (SKAB's ``chp_score(..., metric="binary")``): TP/FP/FN/TN pooled over all test rows,
F1 = TP / (TP + (FP + FN) / 2), FAR = FP / (FP + TN), MAR = FN / (FN + TP) (fractions here; SKAB
prints them times 100). Window-level: a labelled window is detected when an alarm falls inside
it, and the lead time is from the first alarm to the window's end (the failure).

>>> m = binary_metrics(np.array([1, 1, 0, 0]), np.array([1, 0, 1, 0]))
>>> m["f1"], m["far"], m["mar"]
(0.5, 0.5, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.labels import LabelWindow


def binary_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    y = np.asarray(truth, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = int((y & p).sum())
    fp = int((~y & p).sum())
    fn = int((y & ~p).sum())
    tn = int((~y & ~p).sum())

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": ratio(tp, tp + fp),
        "recall": ratio(tp, tp + fn),
        "f1": ratio(tp, tp + (fp + fn) / 2),
        "far": ratio(fp, fp + tn),
        "mar": ratio(fn, fn + tp),
    }


def label_runs(times: pd.Series, labels: np.ndarray) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Contiguous runs of label 1 as (first time, last time)."""
    flags = np.asarray(labels, dtype=bool)
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    t = pd.to_datetime(times, utc=True).reset_index(drop=True)
    return [(t[s], t[e]) for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True, slots=True)
class WindowResult:
    windows: int
    detected: int
    mean_lead_s: float | None
    median_lead_s: float | None

    @property
    def detected_share(self) -> float:
        return self.detected / self.windows if self.windows else 0.0


def window_detection(
    alarm_times: Sequence[pd.Timestamp] | pd.Series,
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
) -> WindowResult:
    """Detected windows (an alarm in [start, end]) and the lead from the first alarm to ``end``."""
    stamps = np.sort(_ns(pd.to_datetime(pd.Series(list(alarm_times), dtype=object), utc=True)))
    leads: list[float] = []
    for start, end in windows:
        end_ns = _ns(pd.Series([end]))[0]
        lo = np.searchsorted(stamps, _ns(pd.Series([start]))[0], side="left")
        hi = np.searchsorted(stamps, end_ns, side="right")
        if hi > lo:
            leads.append((end_ns - stamps[lo]) / 1e9)
    return WindowResult(
        windows=len(windows),
        detected=len(leads),
        mean_lead_s=float(np.mean(leads)) if leads else None,
        median_lead_s=float(np.median(leads)) if leads else None,
    )


def _ns(times: pd.Series) -> np.ndarray:
    """UTC nanoseconds since the epoch (naive times are taken as UTC)."""
    stamps = pd.to_datetime(times, utc=True)
    return np.asarray(stamps.dt.as_unit("ns").astype("int64"), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class FleetResult:
    faults: int
    detected_before_failure: int
    median_lead_days: float | None
    false_work_orders: int
    asset_days: float

    @property
    def detected_share(self) -> float:
        return self.detected_before_failure / self.faults if self.faults else 0.0

    @property
    def false_wo_per_100_asset_days(self) -> float:
        return 100.0 * self.false_work_orders / self.asset_days if self.asset_days else 0.0


def alarm_episodes(alarms: pd.DataFrame, *, merge_gap: pd.Timedelta) -> pd.DataFrame:
    """Alarm windows (columns asset, time; one row per alarmed window) merged into episodes per
    asset: alarms less than ``merge_gap`` apart are one episode, as one open work order would
    absorb them. Columns: asset, start, end."""
    if alarms.empty:
        return pd.DataFrame({"asset": [], "start": [], "end": []})
    frame = alarms.sort_values(["asset", "time"])
    gap = frame.groupby("asset")["time"].diff()
    episode = ((gap.isna()) | (gap > merge_gap)).cumsum()
    grouped = frame.groupby(episode)
    return pd.DataFrame(
        {
            "asset": grouped["asset"].first(),
            "start": grouped["time"].min(),
            "end": grouped["time"].max(),
        }
    ).reset_index(drop=True)


def fleet_evaluation(
    *,
    alarms: pd.DataFrame,
    faults: Sequence[LabelWindow],
    excused: Sequence[LabelWindow] = (),
    asset_days: float,
    merge_gap: pd.Timedelta = pd.Timedelta(days=1),
) -> FleetResult:
    """Faults detected before failure, median lead, and false work orders.

    An alarm episode is a false work order when it starts outside every fault window of its
    asset (from onset to failure) and outside every ``excused`` window (e.g. data-quality
    episodes, which open data-quality work orders, not equipment ones).
    """
    episodes = alarm_episodes(alarms, merge_gap=merge_gap)
    by_asset = dict(list(alarms.groupby("asset"))) if not alarms.empty else {}
    leads: list[float] = []
    for fault in faults:
        times = by_asset.get(fault.asset)
        if times is None:
            continue
        end = pd.Timestamp(fault.failure_at or fault.end)
        inside = times["time"][(times["time"] >= fault.start) & (times["time"] < end)]
        if len(inside):
            leads.append((end - inside.min()).total_seconds() / 86400.0)
    false = 0
    covering = [*faults, *excused]
    for asset, start in zip(episodes["asset"], pd.to_datetime(episodes["start"]), strict=True):
        if not any(
            w.asset == asset and w.start <= start <= pd.Timestamp(w.failure_at or w.end)
            for w in covering
        ):
            false += 1
    return FleetResult(
        faults=len(faults),
        detected_before_failure=len(leads),
        median_lead_days=float(np.median(leads)) if leads else None,
        false_work_orders=false,
        asset_days=asset_days,
    )
