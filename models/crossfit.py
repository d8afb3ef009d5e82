"""Out-of-fold detector scores for the main threshold: every training day scored by a context and
a detector fitted without it.

A held-out tail of the training is one stretch of the week: eight days from a Thursday leave
Tuesday to Thursday in the last 30 %, no weekend, so a threshold set there alone has never seen
how a healthy weekend scores. Scoring the detector's own training windows instead would be
in-sample (too low). Whole days are dealt to ``folds`` folds in turn (day 0 and day ``folds``
together), so each fold's training keeps days of every kind, a weekend day included. A held-out
day has its neighbours in the fit, so these scores miss the drift over days the tail shows:
``fit_type_model`` takes the larger of the two thresholds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models import detectors
from models.context import OperatingContext


def day_folds(times: pd.Index, folds: int) -> np.ndarray:
    """Each window's fold: its calendar day (UTC) counted from the first, dealt round-robin.

    >>> t = pd.DatetimeIndex(["2026-01-01 10:00", "2026-01-02 01:00", "2026-01-05 00:00"])
    >>> day_folds(t, 4).tolist()
    [0, 1, 0]
    """
    dates = pd.DatetimeIndex(times).normalize()
    days = np.asarray((dates - dates.min()) // pd.Timedelta(days=1), dtype=np.int64)
    return np.asarray(days % folds, dtype=int)


def out_of_fold_scores(
    z_all: pd.DataFrame,
    *,
    columns: list[str],
    with_context: bool,
    clock: pd.DataFrame | None,
    detector: str,
    detector_params: dict[str, Any],
    folds: int = 4,
) -> np.ndarray | None:
    """Per row of ``z_all`` (healthy normalised windows, conditions included), the detector's
    score from a fit on the other folds; None when the training spans fewer than ``folds``
    days (no fold could be held out with the rest still whole)."""
    fold = day_folds(z_all.index.get_level_values("time"), folds)
    if len(np.unique(fold)) < folds or len(z_all) <= 10 * folds:
        return None
    scores = np.full(len(z_all), np.nan)
    for k in range(folds):
        train = fold != k
        context = fit_context(z_all, train, columns=columns, with_context=with_context, clock=clock)
        z = context.residuals(z_all, clock)[columns]
        model = detectors.create(detector, **detector_params)
        model.fit(z[train])
        scores[~train] = np.asarray(model.score(z[~train]), dtype=float)
    return scores


def fit_context(
    z_all: pd.DataFrame,
    rows: np.ndarray,
    *,
    columns: list[str],
    with_context: bool,
    clock: pd.DataFrame | None,
) -> OperatingContext:
    """The operating context fitted on ``rows`` of the training (all of it decides whether hour
    and weekend come in); none without condition inputs."""
    if not with_context:
        return OperatingContext()
    return OperatingContext.fit(
        z_all[rows],
        outputs=columns,
        clock=None if clock is None else clock[rows],
        training=z_all.index,
    )
