"""Run-to-failure histories from confirmed failures in the work orders.

A work order resolved as ``confirmed_fault`` says the asset was failing until its repair: the
windows of that asset before the repair are one unit's history, its last window the failure.
The history starts after the asset's previous confirmed failure (a repaired asset starts a new
life) and looks back at most ``history_windows``. The remaining-life model
(``models.rul.model``) learns from these units as it does from a CSV of histories, once there
are ``min_failures`` of them; until then the degradation trend's estimate stands.

>>> import numpy as np, pandas as pd
>>> from datetime import timedelta
>>> from models.labels import LabelWindow
>>> t = pd.date_range("2026-03-01", periods=10, freq="h", tz="UTC")
>>> idx = pd.MultiIndex.from_product([["p1"], t], names=["asset", "time"])
>>> f = pd.DataFrame({"vibration_rms:level": np.arange(10.0)}, index=idx)
>>> fault = LabelWindow("p1", t[2].to_pydatetime(), t[6].to_pydatetime(), "confirmed_fault")
>>> h = failure_histories(features=f, failures=[fault], every=timedelta(hours=1),
...                       history_windows=100, min_windows=3)
>>> h["window"].tolist(), h["vibration_rms:level"].tolist()
([0, 1, 2, 3, 4, 5], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from models.features import AMBIENT, CONDITIONS, SEP, metric_of
from models.labels import LabelWindow
from models.rul.model import HistoryError, RulConfig, RulModel

UNIT, WINDOW = "unit", "window"
# Statistics of health metrics that describe their state (levels and vibration energy), without
# the window's own noise (spread, kurtosis) that the remaining-life features would only chase.
STATISTICS = ("level", "working", "rms")


@dataclass(frozen=True)
class OutcomeRul:
    """What training from the work orders found: the model (None when too few failures) and
    the figures the training report prints."""

    model: RulModel | None
    report: dict[str, Any]


def health_columns(columns: Sequence[str]) -> list[str]:
    """Feature columns a history keeps: health metrics' levels (not conditions, not counters).

    >>> health_columns(["vibration_rms:level", "power:level", "temperature:spread"])
    ['vibration_rms:level']
    """
    excluded = {*CONDITIONS, AMBIENT}
    return [
        c
        for c in columns
        if c.split(SEP, 1)[-1] in STATISTICS
        and metric_of(c) not in excluded
        and "_slow" not in c.split(SEP, 1)[0]
    ]


def failure_histories(
    *,
    features: pd.DataFrame,
    failures: Sequence[LabelWindow],
    every: timedelta,
    history_windows: int,
    min_windows: int,
) -> pd.DataFrame:
    """One unit per confirmed failure: columns ``unit``, ``window`` (0 at the history's first
    window) and the health columns. ``features`` are windows indexed (asset, time); a failure's
    moment is its label's end (the repair), and its history the asset's windows before it, after
    the asset's previous failure. Histories shorter than ``min_windows`` are left out."""
    columns = health_columns(list(features.columns))
    parts: list[pd.DataFrame] = []
    step = pd.Timedelta(every)
    by_asset: dict[str, list[LabelWindow]] = {}
    for failure in sorted(failures, key=lambda w: w.end):
        by_asset.setdefault(failure.asset, []).append(failure)
    assets = set(features.index.get_level_values("asset"))
    for asset, mine in by_asset.items():
        if asset not in assets:
            continue
        windows = features.xs(asset, level="asset")[columns].sort_index()
        times = pd.DatetimeIndex(windows.index)
        previous: pd.Timestamp | None = None
        for failure in mine:
            end = pd.Timestamp(failure.end)
            keep = times + step <= end
            if previous is not None:
                keep &= times >= previous
            history = windows[keep].tail(history_windows)
            previous = end
            if len(history) < min_windows:
                continue
            unit = f"{asset}@{end:%Y-%m-%dT%H:%M}"
            parts.append(
                history.reset_index(drop=True)
                .rename_axis(WINDOW)
                .reset_index()
                .assign(**{UNIT: unit})
            )
    if not parts:
        return pd.DataFrame(columns=[UNIT, WINDOW, *columns])
    frame = pd.concat(parts, ignore_index=True)
    return frame[[UNIT, WINDOW, *columns]]


def train_from_outcomes(
    *,
    features: pd.DataFrame,
    failures: Sequence[LabelWindow],
    every: timedelta,
    history_windows: int,
    cap_windows: float,
    min_failures: int,
    min_windows: int = 48,
) -> OutcomeRul:
    """The remaining-life model from confirmed failures, when there are ``min_failures`` with
    at least ``min_windows`` windows of telemetry before them; else no model, and why."""
    histories = failure_histories(
        features=features,
        failures=failures,
        every=every,
        history_windows=history_windows,
        min_windows=min_windows,
    )
    units = int(histories[UNIT].nunique())
    report: dict[str, Any] = {
        "confirmed_failures": len(failures),
        "histories": units,
        "min_failures": min_failures,
        "windows": len(histories),
        "cap_windows": cap_windows,
        "trained": False,
    }
    if units < min_failures:
        report["reason"] = (
            f"{units} confirmed failure(s) with at least {min_windows} windows of telemetry "
            f"before them; {min_failures} are needed: the degradation trend's estimate stands"
        )
        return OutcomeRul(None, report)
    # Columns never seen for these units (a metric the type does not report) are dropped.
    data = histories.dropna(axis=1, how="all")
    config = RulConfig(cap=cap_windows, folds=min(5, units), age=False)
    try:
        model = RulModel.fit(data, unit_col=UNIT, time_col=WINDOW, config=config, settings=[])
    except HistoryError as error:  # e.g. no health column moves
        report["reason"] = str(error)
        return OutcomeRul(None, report)
    residual = model.calibration.residual
    report.update(
        trained=True,
        sensors=model.features.sensors,
        out_of_fold_rmse_windows=float(np.sqrt(np.mean(residual**2))),
    )
    return OutcomeRul(model, report)
