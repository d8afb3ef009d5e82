"""The remaining-useful-life model: gradient-boosted trees on the features of
``models.rul.features``, one per fold of units, with CV+ intervals (``models.rul.conformal``).

The target is the remaining life in rows (cycles for C-MAPSS, windows for Vigil's assets),
capped at ``cap``: early in its life a unit shows no sign of wear, so nothing in its data tells a
remaining 300 cycles from 200; the cap (125 cycles is the usual C-MAPSS choice) says "at least
this much" instead of guessing. The point prediction is the mean of the fold models.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from models.rul.conformal import Calibration
from models.rul.features import RulFeatures


class HistoryError(ValueError):
    """Histories that cannot train or be predicted: the message says what is wrong."""


@dataclass(frozen=True)
class RulConfig:
    cap: float = 125.0
    folds: int = 5
    alpha: float = 0.1
    seed: int = 0
    # The unit's age (rows since its history began) as a feature: right for engines run from
    # new (C-MAPSS), wrong for histories cut from telemetry (``models.rul.outcomes``), whose
    # first row is wherever the data or the look-back began: there age would only teach "the
    # history ends at failure".
    age: bool = True
    boosting: dict[str, Any] = field(
        default_factory=lambda: {
            "max_iter": 300,
            "learning_rate": 0.05,
            "max_leaf_nodes": 15,
            "min_samples_leaf": 40,
            "l2_regularization": 1.0,
        }
    )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def remaining_life(history: pd.DataFrame, *, unit_col: str, time_col: str) -> np.ndarray:
    """Rows to the unit's last row (its failure), for run-to-failure histories."""
    rank = history.groupby(unit_col)[time_col].rank(method="first")
    size = history.groupby(unit_col)[time_col].transform("size")
    return np.asarray(size - rank, dtype=float)


def check_history(history: pd.DataFrame, *, unit_col: str, time_col: str) -> None:
    for column in (unit_col, time_col):
        if column not in history:
            raise HistoryError(
                f"no column {column!r}; columns: {', '.join(map(str, history.columns))}"
            )
    if history[[unit_col, time_col]].duplicated().any():
        raise HistoryError(f"a unit has two rows at one {time_col}: each ({unit_col}, time) once")


@dataclass
class RulModel:
    config: RulConfig
    unit_col: str
    time_col: str
    features: RulFeatures
    columns: list[str]
    estimators: list[HistGradientBoostingRegressor]
    calibration: Calibration

    @classmethod
    def fit(cls, history: pd.DataFrame, **kwargs: Any) -> RulModel:
        """Fit on run-to-failure histories (each unit's last row is its failure).

        One OpenMP thread: on a shared 2-core machine the trees' default threads spin against
        other processes (one fit took 74 s against 6.6 s single-threaded here).
        """
        with threadpool_limits(limits=1):
            return cls._fit(history, **kwargs)

    @classmethod
    def _fit(
        cls,
        history: pd.DataFrame,
        *,
        unit_col: str,
        time_col: str,
        config: RulConfig | None = None,
        settings: list[str] | None = None,
    ) -> RulModel:
        config = config or RulConfig()
        check_history(history, unit_col=unit_col, time_col=time_col)
        units = history[unit_col].unique()
        if len(units) < config.folds:
            raise HistoryError(
                f"{len(units)} run-to-failure units; at least {config.folds} are needed "
                "(one per fold of the interval's calibration)"
            )
        history = history.sort_values([unit_col, time_col], kind="stable")
        features = RulFeatures().fit(
            history, unit_col=unit_col, time_col=time_col, settings=settings
        )
        table = features.transform(history, unit_col=unit_col, time_col=time_col)
        if not config.age:
            table = table.drop(columns="age")
        target = np.minimum(
            remaining_life(history, unit_col=unit_col, time_col=time_col), config.cap
        )
        rng = np.random.default_rng(config.seed)
        fold_of_unit = dict(
            zip(rng.permutation(units), np.arange(len(units)) % config.folds, strict=True)
        )
        fold = history[unit_col].map(fold_of_unit).to_numpy()
        x = table.to_numpy(dtype=float)
        estimators, predicted = [], np.empty(len(x))
        for k in range(config.folds):
            estimator = HistGradientBoostingRegressor(random_state=config.seed, **config.boosting)
            estimator.fit(x[fold != k], target[fold != k])
            predicted[fold == k] = estimator.predict(x[fold == k])
            estimators.append(estimator)
        edges = np.quantile(predicted, [0.2, 0.4, 0.6, 0.8])
        calibration = Calibration.from_residuals(
            fold=fold, predicted=predicted, residual=target - predicted, edges=edges
        )
        return cls(
            config, unit_col, time_col, features, list(table.columns), estimators, calibration
        )

    def predict(self, history: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
        """Per row of ``history`` (sorted by unit and time): ``rul, rul_low, rul_high``.
        ``rows`` (bool, one per row of ``history``): predict only those, from features over
        the whole history (the trees are nearly all the cost; the scorer needs the new rows)."""
        check_history(history, unit_col=self.unit_col, time_col=self.time_col)
        missing = [c for c in [*self.features.sensors, *self.features.settings] if c not in history]
        if missing:
            raise HistoryError(
                f"columns the model was trained with are missing: {', '.join(missing)}"
            )
        ordered = history.sort_values([self.unit_col, self.time_col], kind="stable")
        table = self.features.transform(ordered, unit_col=self.unit_col, time_col=self.time_col)
        if rows is not None:
            wanted = pd.Series(np.asarray(rows, dtype=bool), index=history.index)
            keep = wanted.reindex(ordered.index).to_numpy()
            ordered, table = ordered[keep], table[keep]
        x = table[self.columns].to_numpy(dtype=float)
        with threadpool_limits(limits=1):
            each = np.column_stack([e.predict(x) for e in self.estimators])
        low, high = self.calibration.interval(each, alpha=self.config.alpha)
        floor = np.zeros(len(x))
        return pd.DataFrame(
            {
                self.unit_col: ordered[self.unit_col].to_numpy(),
                self.time_col: ordered[self.time_col].to_numpy(),
                "rul": np.clip(each.mean(axis=1), 0, self.config.cap),
                "rul_low": np.maximum(low, floor),
                "rul_high": np.maximum(high, floor),
            },
            index=ordered.index,
        )

    def predict_last(self, history: pd.DataFrame) -> pd.DataFrame:
        """One row per unit, predicted at its last row: ``unit, rul, rul_low, rul_high``."""
        rows = self.predict(history)
        last = rows.groupby(self.unit_col, sort=False).tail(1)
        return last[[self.unit_col, "rul", "rul_low", "rul_high"]].reset_index(drop=True)
