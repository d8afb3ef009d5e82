"""One metric column over two months: failures that build over hours and days alarm early in
their window, the daily and weekly swings do not (``models.series`` through
``vigil models evaluate``'s engine)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.csv_eval import CsvEvalConfig, evaluate_frame, labels_from_windows

DAY = pd.Timedelta(days=1)
START = pd.Timestamp("2026-01-05", tz="UTC")  # a Monday
# (failure time, how long the fault builds before it): half a day, two days, four days.
FAILURES = [
    (START + 30 * DAY + pd.Timedelta(hours=15), pd.Timedelta(hours=12)),
    (START + 41 * DAY + pd.Timedelta(hours=3), 2 * DAY),
    (START + 53 * DAY + pd.Timedelta(hours=9), 4 * DAY),
]


def machine_temperature(
    seed: int = 3,
) -> tuple[pd.DataFrame, list[tuple[pd.Timestamp, pd.Timestamp]]]:
    """A machine's temperature every 5 minutes: 8 degrees of daily swing while it works, cooler
    at weekends, a slowly wandering room, noise; each fault adds heat that grows to 7 degrees at
    failure (then it is repaired)."""
    rng = np.random.default_rng(seed)
    times = pd.date_range(START, START + 60 * DAY, freq="5min", inclusive="left")
    hour = times.hour.to_numpy() + times.minute.to_numpy() / 60
    weekend = times.day_of_week.to_numpy() >= 5
    working = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, None) * np.where(weekend, 0.3, 1.0)
    room = np.cumsum(rng.normal(0, 0.02, len(times)))
    room = room - pd.Series(room).rolling(2016, min_periods=1).mean().to_numpy()  # bounded
    temperature = 45 + 8 * working + room + rng.normal(0, 0.4, len(times))
    windows = []
    for failure, build in FAILURES:
        onset = failure - build
        share = ((times - onset) / build).to_numpy(dtype=float)
        inside = (share >= 0) & (share <= 1)
        temperature[inside] += 7 * share[inside] ** 1.5
        windows.append((onset, failure))
    return pd.DataFrame({"time": times, "temperature": temperature}), windows


def test_failures_alarm_early_and_daily_swings_do_not() -> None:
    frame, windows = machine_temperature()
    labels = labels_from_windows(frame["time"], windows)
    result = evaluate_frame(
        frame, time_col="time", labels=labels, train_until=START + 21 * DAY, config=CsvEvalConfig()
    )
    assert result.multiscale
    alarms = result.rows.loc[result.rows["is_anomalous"] == 1, "time"]
    for onset, failure in windows:
        inside = alarms[(alarms >= onset) & (alarms <= failure)]
        assert len(inside), f"no alarm in the window ending {failure}"
        # Well before the end: in the first two thirds of the time the fault took to build.
        assert inside.min() <= onset + (failure - onset) * 2 / 3, (onset, inside.min(), failure)
    assert result.windows.detected == len(windows)
    assert result.false_episodes <= len(windows)


def test_one_scale_features_miss_or_cry_wolf_on_the_same_series() -> None:
    """The check above can fail: the single-scale features on the same series do worse."""
    frame, windows = machine_temperature()
    labels = labels_from_windows(frame["time"], windows)
    single = evaluate_frame(
        frame,
        time_col="time",
        labels=labels,
        train_until=START + 21 * DAY,
        config=CsvEvalConfig(multiscale=False),
    )
    assert single.false_episodes > len(windows) or single.windows.detected < len(windows)
