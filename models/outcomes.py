"""What the work-order outcomes change at training: false alarms raise alarm levels.

``learn_levels`` looks at what a freshly fitted model says about the windows of each reported
false alarm (the windows that raised it: the persistence run before the detection, and the
detection's own window) and gives the levels that keep them quiet (``models.alarm_levels``);
``labels_report`` says, for the training report, what the labels changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from models.alarm_levels import AlarmLevels
from models.labels import LabelWindow
from models.model import TypeModel


def _span(decided: pd.DataFrame, window: LabelWindow, *, every: timedelta, runs: int) -> np.ndarray:
    """Rows of ``decided`` in a false alarm's situation: its label window, widened back by the
    persistence run that had to be over before the work order opened."""
    times = pd.DatetimeIndex(decided.index.get_level_values("time"))
    assets = decided.index.get_level_values("asset")
    start = pd.Timestamp(window.start) - runs * pd.Timedelta(every)
    end = pd.Timestamp(window.end)
    hit = (assets == window.asset) & (times + pd.Timedelta(every) > start) & (times <= end)
    return np.asarray(hit, dtype=bool)


def _ratio(model: TypeModel, decided: pd.DataFrame) -> np.ndarray:
    return np.maximum(
        decided["score"].to_numpy() / max(model.threshold.value, 1e-12),
        decided["trend_score"].to_numpy() / max(model.trend_threshold.value, 1e-12),
    )


def learn_levels(
    *, model: TypeModel, decided: pd.DataFrame, false_alarms: Sequence[LabelWindow]
) -> AlarmLevels:
    """Levels from ``decided`` (``assess_history`` of the model without levels, with the fault
    code of every row over a threshold)."""
    every = timedelta(seconds=model.config.every_s)
    ratio = _ratio(model, decided)
    over = decided["over"].to_numpy()
    codes = decided["fault_code"].to_numpy()
    reports: dict[str, dict[str, float]] = {}
    for window in false_alarms:
        rows = np.flatnonzero(
            _span(decided, window, every=every, runs=model.config.persistence) & over
        )
        mine = reports.setdefault(window.asset, {})
        for code, value in zip(codes[rows], ratio[rows], strict=True):
            mine[str(code)] = max(mine.get(str(code), 0.0), float(value))
    return AlarmLevels.from_reports(reports)


def labels_report(
    *,
    model: TypeModel,
    before: pd.DataFrame,
    after: pd.DataFrame,
    labels: Sequence[LabelWindow],
) -> dict[str, Any]:
    """What the outcome labels changed, for ``vigil models train``: per false alarm, its windows
    over the level and alarming before and after, and the thresholds it now meets; how many
    windows of the whole training stretch went quiet; the confirmed faults learned as unhealthy."""
    every = timedelta(seconds=model.config.every_s)
    false_alarms = [w for w in labels if w.kind == "false_alarm"]
    items = []
    for window in false_alarms:
        span = _span(before, window, every=every, runs=model.config.persistence)
        codes = sorted({str(c) for c in before["fault_code"].to_numpy()[span] if c})
        factor = max((model.levels.factor(window.asset, c) for c in codes), default=1.0)
        items.append(
            {
                "asset": window.asset,
                "start": pd.Timestamp(window.start).isoformat(),
                "end": pd.Timestamp(window.end).isoformat(),
                "fault_codes": codes,
                "threshold_before": model.threshold.value,
                "threshold_after": model.threshold.value * factor,
                "trend_threshold_before": model.trend_threshold.value,
                "trend_threshold_after": model.trend_threshold.value * factor,
                "windows_over_before": int(before["over"].to_numpy()[span].sum()),
                "windows_over_after": int(after["over"].to_numpy()[span].sum()),
                "alarms_before": int(before["alarm"].to_numpy()[span].sum()),
                "alarms_after": int(after["alarm"].to_numpy()[span].sum()),
            }
        )
    quiet = before["alarm"].to_numpy() & ~after["alarm"].to_numpy()
    return {
        "false_alarms": items,
        "confirmed_faults": sum(w.kind == "confirmed_fault" for w in labels),
        "levels": model.levels.to_dict(),
        "alarm_windows_before": int(before["alarm"].sum()),
        "alarm_windows_after": int(after["alarm"].sum()),
        "windows_now_quiet": int(quiet.sum()),
    }
