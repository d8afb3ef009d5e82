"""``vigil models evaluate``'s engine on several metric columns: persistence (consecutive rows
over the threshold) and the second, shorter window, on synthetic series whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.csv_eval import CsvEvalConfig, evaluate_frame

ROWS, TRAIN = 600, 400


def frame_with(flow: np.ndarray, seed: int = 11) -> pd.DataFrame:
    """A second-by-second frame: ``flow`` and a quiet pressure column beside it."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "time": pd.date_range("2026-01-01", periods=len(flow), freq="s"),
            "flow": flow,
            "pressure": rng.normal(2.0, 0.05, len(flow)),
        }
    )


def test_persistence_drops_isolated_rows_and_delays_a_segment_by_k_minus_one() -> None:
    rng = np.random.default_rng(3)
    flow = rng.normal(10.0, 1.0, ROWS)
    flow[[450, 470]] += 20.0  # two isolated spikes, not labelled
    flow[520:580] += 20.0  # a 60-row anomaly, labelled
    labels = np.zeros(ROWS, dtype=int)
    labels[520:580] = 1
    frame = frame_with(flow)

    def run(k: int) -> pd.DataFrame:
        config = CsvEvalConfig(window_rows=1, multiscale=False, persistence_rows=k)
        return evaluate_frame(
            frame, time_col="time", labels=labels, train_rows=TRAIN, config=config
        ).rows

    every_row = run(1)
    alarmed = np.flatnonzero(every_row["is_anomalous"]) + TRAIN
    assert alarmed.tolist() == [450, 470, *range(520, 580)]

    three = run(3)
    alarmed = np.flatnonzero(three["is_anomalous"]) + TRAIN
    assert alarmed.tolist() == list(range(522, 580))
    # Scores and threshold do not depend on the decision rule.
    assert np.allclose(three["score"], every_row["score"])
    assert three.loc[three["is_anomalous"] == 1, "top_metrics"].str.startswith("flow=").all()


def test_a_short_window_alarms_early_in_a_step_the_long_window_answers_late() -> None:
    # Training alternates calm and rough 40-row stretches, so a step's spread looks like a rough
    # stretch: only the level tells, and the 60-row median moves once half its window is past
    # the step.
    rng = np.random.default_rng(0)
    noise = np.where((np.arange(ROWS) // 40) % 2 == 0, 0.3, 3.0)
    noise[TRAIN:] = 0.3
    flow = 10.0 + rng.normal(0.0, 1.0, ROWS) * noise
    flow[500:] += 8.0
    labels = (np.arange(ROWS) >= 500).astype(int)
    frame = frame_with(flow)

    def first_alarm(config: CsvEvalConfig) -> tuple[int, pd.DataFrame]:
        rows = evaluate_frame(
            frame, time_col="time", labels=labels, train_rows=TRAIN, config=config
        ).rows
        return int(np.flatnonzero(rows["is_anomalous"])[0]) + TRAIN, rows

    long_only, _ = first_alarm(CsvEvalConfig(window_rows=60, multiscale=False))
    both, rows = first_alarm(CsvEvalConfig(window_rows=60, short_window_rows=5, multiscale=False))
    assert 525 <= long_only <= 535
    assert 500 <= both <= 505
    # The row's score is the larger ratio of a scale's score to its own threshold.
    assert (rows["threshold"] == 1.0).all()
    assert ((rows["score"] > 1.0) == (rows["is_anomalous"] == 1)).all()
    assert rows.loc[rows["is_anomalous"] == 1, "top_metrics"].str.startswith("flow=").all()
    # Nothing before the step alarms on either scale.
    assert not rows.loc[: 500 - TRAIN - 1, "is_anomalous"].any()
