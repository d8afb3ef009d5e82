"""Evaluate a detector on one CSV-like frame: a time column, metric columns, labels.

This is ``vigil models evaluate``'s engine and the SKAB benchmark's: features are trailing
``window_rows`` rolling windows per row, the detector is fitted on the training rows (never on
rows labelled anomalous there, unless ``learn_labelled`` restores the leaderboard's plain
first-N-rows protocol), the threshold is calibrated on the training scores, and every test row
gets a score and a decision.

Two optional refinements, both off by default:

- ``short_window_rows``: a second, shorter trailing window with its own detector and threshold.
  A long window's median is steady but answers a step only once half the window has moved (and
  lets go as late after the step back); a short one answers within a few rows but is noisier.
  Each scale's score is divided by its own threshold and the row's score is the larger ratio, so
  a row alarms when either scale says so (the threshold column is then 1).
- ``persistence_rows``: a row alarms only once this many consecutive rows are over the threshold
  (``models.thresholds.Persistence``), which drops isolated noisy rows; decided in time order over
  the whole series, so it never looks ahead.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(5)
>>> x = rng.normal(10, 1, 600); x[500:] += 8
>>> frame = pd.DataFrame({"time": pd.date_range("2026-01-01", periods=600, freq="s"),
...                       "flow": x, "label": (np.arange(600) >= 500).astype(int)})
>>> result = evaluate_frame(frame, time_col="time", labels=frame.pop("label").to_numpy(),
...                         train_rows=400, config=CsvEvalConfig(window_rows=10, multiscale=False))
>>> round(result.metrics["f1"], 2), round(result.metrics["far"], 2)
(1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from models import detectors
from models.evaluation import (
    WindowResult,
    alarm_episodes,
    binary_metrics,
    label_runs,
    window_detection,
)
from models.features import rolling_features
from models.series import multiscale_features
from models.thresholds import Persistence, Threshold, fault_code, top_contributions


@dataclass(frozen=True)
class CsvEvalConfig:
    window_rows: int = 60
    detector: str = "robust"
    detector_params: dict[str, Any] = field(default_factory=dict)
    target_far: float = 0.01
    margin: float = 2.0
    learn_labelled: bool = False
    # Features at several time scales over the series relative to its usual daily and weekly
    # profile (``models.series``); None: when the CSV has one metric column.
    multiscale: bool | None = None
    # A second, shorter trailing window (rows) scored by its own detector and threshold; None:
    # one scale. Only with the rolling features (multiscale=False).
    short_window_rows: int | None = None
    # Consecutive rows over the threshold before a row alarms (1: every row on its own).
    persistence_rows: int = 1


@dataclass
class CsvEvaluation:
    rows: pd.DataFrame  # test rows: time, score, threshold, is_anomalous, fault_code, top_metrics
    metrics: dict[str, float]
    windows: WindowResult
    train_rows: int
    # Alarm episodes (alarms less than a day apart) that start outside every labelled window.
    false_episodes: int = 0
    multiscale: bool = False


class EvaluationError(ValueError):
    """The input cannot be evaluated (no metric columns, no training rows, ...)."""


def labels_from_windows(
    times: pd.Series, windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]]
) -> np.ndarray:
    t = pd.to_datetime(times, utc=True)
    flags = np.zeros(len(t), dtype=int)
    for start, end in windows:
        flags |= ((t >= start) & (t <= end)).to_numpy().astype(int)
    return flags


def evaluate_frame(
    frame: pd.DataFrame,
    *,
    time_col: str,
    labels: np.ndarray,
    train_rows: int | None = None,
    train_until: pd.Timestamp | None = None,
    config: CsvEvalConfig = CsvEvalConfig(),
) -> CsvEvaluation:
    if time_col not in frame:
        raise EvaluationError(f"no time column {time_col!r}; columns: {', '.join(frame.columns)}")
    times = pd.to_datetime(frame[time_col], utc=True).reset_index(drop=True)
    metrics = frame.drop(columns=[time_col]).select_dtypes(include="number")
    if metrics.shape[1] == 0:
        raise EvaluationError("no numeric metric columns besides the time and label columns")
    metrics = metrics.reset_index(drop=True).astype(float)
    if train_until is not None:
        n_train = int((times < train_until).sum())
    elif train_rows is not None:
        n_train = min(train_rows, len(metrics))
    else:
        raise EvaluationError("say which rows train: --train-rows N or --train-until TIME")
    if n_train < 2 or n_train >= len(metrics):
        raise EvaluationError(f"{n_train} training rows of {len(metrics)}: need >= 2 and a rest")
    labels = np.asarray(labels, dtype=int)
    multiscale = metrics.shape[1] == 1 if config.multiscale is None else config.multiscale
    if multiscale:
        in_train = np.arange(len(metrics)) < n_train
        learn_rows = in_train if config.learn_labelled else in_train & (labels == 0)
        features = pd.concat(
            [
                multiscale_features(times, metrics[c], name=str(c), train=learn_rows)
                for c in metrics.columns
            ],
            axis=1,
        )
    else:
        features = rolling_features(metrics, rows=config.window_rows)
    if multiscale or config.short_window_rows is None:
        scales = [features]
    else:
        scales = [features, rolling_features(metrics, rows=config.short_window_rows)]
    learn = np.arange(len(metrics)) < n_train
    if not config.learn_labelled and (learn & (labels == 0)).sum() >= 2:
        learn &= labels == 0  # else every training row is labelled: fall back rather than fail
    scored = [_score_scale(f, learn=learn, config=config) for f in scales]
    if len(scored) == 1:
        scores, threshold_value, explained = scored[0]
    else:
        # The larger ratio of score to its own threshold, and that scale's explanation.
        ratios = np.column_stack([s / max(t, 1e-12) for s, t, _ in scored])
        pick = ratios.argmax(axis=1)
        scores, threshold_value = ratios.max(axis=1), 1.0
        stacked = np.stack([e.to_numpy(dtype=float) for _, _, e in scored])
        explained = pd.DataFrame(stacked[pick, np.arange(len(pick))], columns=scored[0][2].columns)
    over = scores > threshold_value
    alarm = Persistence(windows=config.persistence_rows).apply(over)[n_train:]
    scores = scores[n_train:]
    explained = explained.iloc[n_train:]
    tops = [t if a else {} for t, a in zip(top_contributions(explained), alarm, strict=True)]
    rows = pd.DataFrame(
        {
            "time": times.iloc[n_train:].to_numpy(),
            "score": scores,
            "threshold": threshold_value,
            "is_anomalous": alarm.astype(int),
            "fault_code": [fault_code(t) if t else "" for t in tops],
            "top_metrics": [";".join(f"{m}={s:.2f}" for m, s in t.items()) for t in tops],
            "label": labels[n_train:],
        }
    )
    test_times = times.iloc[n_train:]
    runs = label_runs(test_times, labels[n_train:])
    result = window_detection(test_times[alarm].tolist(), runs)
    return CsvEvaluation(
        rows,
        binary_metrics(labels[n_train:], alarm),
        result,
        n_train,
        false_episodes=false_episodes(test_times[alarm], runs),
        multiscale=multiscale,
    )


def _score_scale(
    features: pd.DataFrame, *, learn: np.ndarray, config: CsvEvalConfig
) -> tuple[np.ndarray, float, pd.DataFrame]:
    """Scores of every row, the threshold calibrated on the ``learn`` rows' scores, and every
    row's per-feature explanation, for one set of features."""
    learnable = features[learn]
    detector = detectors.create(config.detector, **config.detector_params)
    detector.fit(learnable)
    threshold = Threshold.calibrate(
        detector.score(learnable), target_far=config.target_far, margin=config.margin
    )
    scores = detector.score(features).to_numpy(dtype=float)
    return scores, threshold.value, detector.explain(features)


def false_episodes(
    alarm_times: pd.Series,
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    *,
    merge_gap: pd.Timedelta = pd.Timedelta(days=1),
) -> int:
    """Alarm episodes (alarms less than ``merge_gap`` apart, as one work order would be) that
    start outside every labelled window."""
    if len(alarm_times) == 0:
        return 0
    frame = pd.DataFrame({"asset": "series", "time": pd.to_datetime(alarm_times, utc=True)})
    episodes = alarm_episodes(frame, merge_gap=merge_gap)
    starts = pd.to_datetime(episodes["start"], utc=True)
    spans = [
        (pd.Timestamp(a).tz_convert("UTC"), pd.Timestamp(b).tz_convert("UTC")) for a, b in windows
    ]
    return sum(not any(a <= start <= b for a, b in spans) for start in starts)
