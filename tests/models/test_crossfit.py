"""The main threshold's out-of-fold scores: every training day, the weekend included, is scored
by a detector fitted without it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models import detectors
from models.crossfit import out_of_fold_scores
from models.thresholds import Threshold

START = pd.Timestamp("2026-10-01", tz="UTC")  # a Thursday, as the simulator's fleet starts


def healthy_windows() -> pd.DataFrame:
    """Three assets, hourly, eight days: weekends' windows spread 2.5 times as far as weekdays'."""
    rng = np.random.default_rng(3)
    times = pd.date_range(START, periods=8 * 24, freq="h")
    spread = np.where(times.day_of_week >= 5, 2.5, 1.0)
    frames = []
    for asset in ("a", "b", "c"):
        values = rng.normal(size=(len(times), 4)) * spread[:, None]
        index = pd.MultiIndex.from_arrays([[asset] * len(times), times], names=["asset", "time"])
        frames.append(pd.DataFrame(values, index=index, columns=[f"m{j}:level" for j in range(4)]))
    return pd.concat(frames)


def test_every_day_is_scored_and_the_weekend_raises_the_threshold() -> None:
    z = healthy_windows()
    columns = list(z.columns)
    oof = out_of_fold_scores(
        z, columns=columns, with_context=False, clock=None, detector="pca", detector_params={}
    )
    assert oof is not None
    assert np.isfinite(oof).all()
    # The held-out tail as before: the last 30 % in time, Tuesday to Thursday, no weekend.
    times = z.index.get_level_values("time")
    cut = times.sort_values()[int(len(times) * 0.7)]
    detector = detectors.create("pca")
    detector.fit(z[times <= cut])
    tail = Threshold.calibrate(detector.score(z[times > cut]), target_far=0.01)
    folded = Threshold.calibrate(oof, target_far=0.01)
    assert folded.value > 1.5 * tail.value


def test_a_training_shorter_than_the_folds_has_no_out_of_fold_scores() -> None:
    z = healthy_windows()
    short = z[z.index.get_level_values("time") < START + pd.Timedelta(days=3)]
    assert (
        out_of_fold_scores(
            short,
            columns=list(z.columns),
            with_context=False,
            clock=None,
            detector="pca",
            detector_params={},
        )
        is None
    )
