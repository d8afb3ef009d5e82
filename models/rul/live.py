"""The learned remaining life where a model decides: at the scorer and in ``TypeModel.assess``.

A type model that carries a learned remaining-life model (``TypeModel.rul``, trained from
confirmed failures in the work orders, ``models.rul.outcomes``) gives each window's failure time
and its 90 % interval from it; without one, the degradation trend's estimate stands
(``models.rul.trend``). Which of the two gave an estimate is said with it (``LEARNED`` or
``TREND``), on the decision, the work order and the asset page's chart.

The learned model reads each asset's recent windows, normalised against the asset's own baseline
(as training cut them from the telemetry before a failure, so a large pump's wear and a small
one's look alike), as a history: its health columns, the first window the history's own start. At the scorer that history is the asset's last ``rul_history_windows`` windows
(``RulHistory``), the same look-back as training's. A remaining life of r windows, predicted at
a window starting at t, is a failure at t + (r + 1) windows: in training, the history's last
window is the one that ends by the failure. A prediction at the cap (``rul_cap_windows``) says
"at least that far", so it gives no failure time and an open high end, like a trend line that
does not reach the failure level.

>>> import numpy as np, pandas as pd
>>> from datetime import timedelta
>>> from models.rul.model import RulConfig, RulModel
>>> rows = [(f"u{u}", w, 10.0 - 0.1 * (40 + u - w)) for u in range(6) for w in range(40 + u)]
>>> fit = pd.DataFrame(rows, columns=["unit", "window", "vibration_rms:level"])
>>> model = RulModel.fit(fit, unit_col="unit", time_col="window",
...                      config=RulConfig(cap=30.0, folds=3, age=False), settings=[])
>>> t = pd.date_range("2026-03-01", periods=40, freq="h", tz="UTC")
>>> idx = pd.MultiIndex.from_product([["p1"], t], names=["asset", "time"])
>>> windows = pd.DataFrame({"vibration_rms:level": 10.0 - 0.1 * (40 - np.arange(40.0))}, index=idx)
>>> out = learned_failure(model, windows, every=timedelta(hours=1))
>>> last = out.iloc[-1]
>>> bool(last["failure_low"] <= last["failure_at"] <= last["failure_high"])
True
>>> bool(last["failure_at"] - t[-1] < pd.Timedelta(hours=12))
True
>>> newest = learned_failure(model, windows, every=timedelta(hours=1), rows=np.arange(40) >= 38)
>>> newest.equals(out.iloc[38:])  # only the rows the scorer needs, from the same history
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from models.rul.model import HistoryError, RulModel

LEARNED, TREND = "learned", "trend"
NAMES = ("failure_at", "failure_low", "failure_high")
_UNIT, _WINDOW = "unit", "window"


def usable(model: RulModel, columns: pd.Index | list[str]) -> bool:
    """Whether windows with these columns carry every health column the model learned."""
    return set(model.features.sensors) <= set(columns)


def learned_failure(
    model: RulModel,
    windows: pd.DataFrame,
    *,
    every: timedelta,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per row of ``windows`` (feature windows indexed (asset, time), each asset's rows its
    history in time order), or only the ``rows`` (bool mask) wanted: ``failure_at``,
    ``failure_low``, ``failure_high`` (UTC; NaT where the model predicts at its cap, or the
    high end is at the cap). Raises ``HistoryError`` when the windows lack a column the model
    learned."""
    if not usable(model, windows.columns):
        missing = sorted(set(model.features.sensors) - set(windows.columns))
        raise HistoryError(f"windows lack the learned model's columns: {', '.join(missing)}")
    assets = windows.index.get_level_values("asset")
    history = pd.DataFrame(
        windows[model.features.sensors].to_numpy(dtype=float),
        columns=model.features.sensors,
    )
    history[_UNIT] = np.asarray(assets)
    history[_WINDOW] = history.groupby(_UNIT, sort=False).cumcount().to_numpy()
    predicted = model.predict(
        history.rename(columns={_UNIT: model.unit_col, _WINDOW: model.time_col}), rows
    )
    predicted = predicted.sort_index()  # back to the windows' row order
    wanted = np.ones(len(windows), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    windows = windows[wanted]
    start = pd.DatetimeIndex(windows.index.get_level_values("time"))
    step = pd.Timedelta(every)
    cap = model.config.cap
    # Half a window short of the cap is "at the cap": the fold models' mean rarely reaches it.
    near_cap = cap - 0.5

    def moment(rul: np.ndarray, open_from: float) -> pd.DatetimeIndex:
        seconds = np.round((np.asarray(rul) + 1.0) * step.total_seconds())
        at = start + pd.to_timedelta(seconds, unit="s")
        return pd.DatetimeIndex(at.where(np.asarray(rul) < open_from))

    return pd.DataFrame(
        {
            "failure_at": moment(predicted["rul"].to_numpy(), near_cap),
            "failure_low": moment(predicted["rul_low"].to_numpy(), np.inf),
            "failure_high": moment(predicted["rul_high"].to_numpy(), near_cap),
        },
        index=windows.index,
    )


@dataclass
class RulHistory:
    """The scorer's memory for one asset type's learned model: each asset's last ``windows``
    feature windows (the model's health columns only), indexed (asset, time)."""

    windows: int
    columns: list[str]
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    def add(self, features: pd.DataFrame) -> None:
        """Remember new windows (a window seen again replaces the old one)."""
        new = features.reindex(columns=self.columns)
        both = pd.concat([self.frame, new]) if len(self.frame) else new
        both = both[~both.index.duplicated(keep="last")].sort_index()
        self.frame = both.groupby(level="asset", sort=False).tail(self.windows)

    def failure(self, model: RulModel, index: pd.Index, *, every: timedelta) -> pd.DataFrame:
        """The learned failure time and interval at each (asset, time) of ``index``, from each
        asset's remembered history up to and including that window."""
        assets = pd.Index(index.get_level_values("asset")).unique()
        mine = self.frame[self.frame.index.get_level_values("asset").isin(assets)]
        wanted = np.asarray(mine.index.isin(index))
        return learned_failure(model, mine, every=every, rows=wanted).reindex(index)
