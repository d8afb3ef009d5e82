"""What the scoring job remembers between cycles, so it never re-reads whole windows.

Per asset: readings of the window still open, the last reading time (offline detection), the
typical readings per window (gap detection), the run of windows over threshold (persistence), the
health history of the degradation trend, and, for an asset the model was not trained on, its
warm-up windows and then its own baseline. All per-asset numbers live in arrays indexed by a row
number, so a cycle over 10,000 assets is a handful of vectorised operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from models.detectors.trend import row_median
from models.features import Baselines
from models.registry import ModelBundle
from models.rul.live import RulHistory


class AssetRows:
    """Stable row numbers for asset ids, and per-asset arrays that grow with them."""

    def __init__(self, history: int, smooth: int) -> None:
        self.history, self.smooth = history, smooth
        self.index: dict[str, int] = {}
        self.runs = np.zeros(0, dtype=np.int64)
        self.seen = np.zeros(0, dtype=np.int64)  # windows in the slow means
        self.t = np.zeros((0, history))
        self.hi = np.zeros((0, history))  # smoothed health values
        self.raw = np.zeros((0, smooth))  # the last raw health values, for the running median
        # Slow (exponentially weighted) feature means, one column per slow feature.
        self.slow_columns: list[str] = []
        self.slow = np.zeros((0, 0))

    def rows(self, assets: pd.Index | list[str]) -> np.ndarray:
        new = [a for a in dict.fromkeys(assets) if a not in self.index]
        if new:
            start = len(self.index)
            self.index.update({a: start + i for i, a in enumerate(new)})
            grow = len(new)
            self.runs = np.concatenate([self.runs, np.zeros(grow, dtype=np.int64)])
            self.seen = np.concatenate([self.seen, np.zeros(grow, dtype=np.int64)])
            self.t = np.vstack([self.t, np.full((grow, self.history), np.nan)])
            self.hi = np.vstack([self.hi, np.full((grow, self.history), np.nan)])
            self.raw = np.vstack([self.raw, np.full((grow, self.smooth), np.nan)])
            self.slow = np.vstack([self.slow, np.full((grow, len(self.slow_columns)), np.nan)])
        return np.fromiter((self.index[a] for a in assets), dtype=np.int64, count=len(assets))

    def push(self, rows: np.ndarray, t_days: np.ndarray, hi: np.ndarray) -> None:
        """Append one health value per row (rows unique), dropping the oldest; the trend ring
        gets the running median of the last ``smooth`` values, as ``DegradationTrend`` does."""
        self.raw[rows, :-1] = self.raw[rows, 1:]
        self.raw[rows, -1] = hi
        self.t[rows, :-1] = self.t[rows, 1:]
        self.hi[rows, :-1] = self.hi[rows, 1:]
        self.t[rows, -1] = t_days
        self.hi[rows, -1] = row_median(self.raw[rows])

    def use_slow_columns(self, columns: list[str]) -> None:
        if columns != self.slow_columns:
            self.slow_columns = list(columns)
            self.slow = np.full((len(self.index), len(columns)), np.nan)

    def reset_model_memory(self) -> None:
        """A new model version: its health scale differs, so trend, runs and slow means start
        again (the scoring job then primes them from the windows before; see ``prime``)."""
        self.runs[:] = 0
        self.seen[:] = 0
        self.slow[:] = np.nan
        self.t[:] = np.nan
        self.hi[:] = np.nan
        self.raw[:] = np.nan


@dataclass
class TypeState:
    """Per asset type: assets warming up (feature rows so far) and the baselines learned."""

    warming: pd.DataFrame = field(default_factory=pd.DataFrame)
    own: Baselines | None = None

    def add_baselines(self, learned: Baselines) -> None:
        if self.own is None:
            self.own = learned
            return
        learned_cols = [
            learned.columns.index(c) if c in learned.columns else -1 for c in self.own.columns
        ]
        take = np.array(learned_cols)
        med = np.where(take >= 0, learned.median[:, np.maximum(take, 0)], 0.0)
        scale = np.where(take >= 0, learned.scale[:, np.maximum(take, 0)], 1.0)
        self.own = Baselines(
            self.own.columns,
            self.own.assets + learned.assets,
            np.vstack([self.own.median, med]),
            np.vstack([self.own.scale, scale]),
        )


@dataclass
class ScoringState:
    query_end: datetime | None = None
    pending: pd.DataFrame = field(default_factory=pd.DataFrame)
    version: str | None = None
    bundle: ModelBundle | None = None
    assets: AssetRows | None = None
    types: dict[str, TypeState] = field(default_factory=dict)
    # Per asset: (site, asset_type, last reading time in ns since the epoch), for offline checks.
    last_seen: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    typical_n: dict[str, float] = field(default_factory=dict)
    # Open data-quality conditions, so a resolution is reported once when they end.
    offline: set[str] = field(default_factory=set)
    stuck: set[str] = field(default_factory=set)
    # Site code -> time zone, for the operating context's hour of day and weekend in each
    # site's local time (``models.context.local_clock``); refreshed every cycle by the job.
    zones: dict[str, str] = field(default_factory=dict)
    # Per asset type with a learned remaining-life model: each asset's recent windows, the
    # history that model reads (``models.rul.live``); emptied with the model's other memory.
    rul: dict[str, RulHistory] = field(default_factory=dict)

    def rows_for(self, history: int, smooth: int) -> AssetRows:
        if self.assets is None or (self.assets.history, self.assets.smooth) != (history, smooth):
            self.assets = AssetRows(history, smooth)
        return self.assets

    def rul_history(self, asset_type: str, windows: int, columns: list[str]) -> RulHistory:
        history = self.rul.get(asset_type)
        if history is None or (history.windows, history.columns) != (windows, columns):
            history = self.rul[asset_type] = RulHistory(windows, list(columns))
        return history

    def type_state(self, asset_type: str) -> TypeState:
        return self.types.setdefault(asset_type, TypeState())
