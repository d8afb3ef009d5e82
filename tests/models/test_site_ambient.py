"""The site's ambient temperature for assets that report none: pumps in a machine room that
follows the weather, judged against the outdoor temperature their site's chillers report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from ingest.store.sqlite import SqliteStore
from models.features import FeatureWindows, window_features
from models.model import ModelConfig, TypeModel
from models.registry import Registry
from models.scoring import prime_windows
from models.site_ambient import fill_site_ambient, site_ambient
from models.smoothing import add_slow
from models.training import assess_history, run_training, train_models
from tests.models.conftest import frame_points
from tests.models.test_scoring import run_cycles

START = pd.Timestamp("2026-03-02", tz="UTC")  # a Monday: 8 days hold a week with a weekend
SPLIT = START + pd.Timedelta(days=8)
CONFIG = ModelConfig(every_s=3600, warmup_windows=6)
EVERY = timedelta(hours=1)


def site(*, chillers: bool = True, days: int = 14) -> pd.DataFrame:
    """Two chillers (outdoor sensor) and three pumps (none) on site ``s``, a reading every
    10 minutes. The weather wanders for days (AR(1), 3 °C, 1.5 days) and from day 9 a warm spell
    adds 6 °C; the pumps' room follows the outdoors by 0.3, their bearings the room and speed."""
    rng = np.random.default_rng(3)
    times = pd.date_range(START, periods=days * 144, freq="10min")
    day = ((times - START) / pd.Timedelta(days=1)).to_numpy()
    a = np.exp(-1 / (144 * 1.5))
    weather = lfilter([1.0], [1.0, -a], rng.normal(0, 3 * np.sqrt(1 - a * a), len(times)))
    spell = 6.0 * np.clip(day - 9, 0, 2) / 2
    outdoor = 10 + 4 * np.sin(2 * np.pi * (day - 0.375)) + weather + spell
    frames = []
    for i in range(2 if chillers else 0):
        cooling = 300 + 10 * outdoor + rng.normal(0, 5, len(times))
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s",
                    "asset": f"c{i}",
                    "asset_type": "chiller",
                    "ambient_temperature": outdoor + rng.normal(0, 0.1, len(times)),
                    "cooling_output": cooling,
                    "discharge_temperature": 40 + 0.5 * outdoor + 0.02 * cooling,
                    "vibration_rms": 1.5 + rng.normal(0, 0.05, len(times)),
                }
            )
        )
    for i in range(3):
        speed = 0.45 + 0.55 * (0.5 + 0.2 * np.sin(2 * np.pi * day + i))
        speed = speed + rng.normal(0, 0.01, len(times))
        room = 18 + 0.3 * (outdoor - 15)
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "site": "s",
                    "asset": f"p{i}",
                    "asset_type": "pump",
                    "speed": 1480 * speed,
                    "vibration_rms": (1 + 0.3 * i) * (0.4 + 1.2 * speed),
                    "bearing_temperature": room + 28 * speed**2 + rng.normal(0, 0.2, len(times)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def pump_windows(frame: pd.DataFrame) -> FeatureWindows:
    """The pumps' windows as training and scoring make them: the site's ambient filled in."""
    by_type = {t: window_features(p, every=EVERY) for t, p in frame.groupby("asset_type")}
    ambient = site_ambient(
        [w.features for w in by_type.values()], [w.meta for w in by_type.values()]
    )
    pumps = by_type["pump"]
    features, _ = fill_site_ambient(pumps.features, pumps.meta, ambient)
    return FeatureWindows(features, pumps.meta)


def spell_residual(model: TypeModel, windows: FeatureWindows) -> pd.Series:
    """Mean residual of each pump's slow bearing temperature over the warm spell's last days."""
    features = add_slow(windows.features.sort_index(), halflife=model.config.slow_halflife)
    residual = model.frame(model.baselines.normalise(features))
    times = residual.index.get_level_values("time")
    late = residual[times >= START + pd.Timedelta(days=11)]
    result: pd.Series = late["bearing_temperature_slow:level"].groupby(level="asset").mean()
    return result


def test_a_warm_spell_is_explained_by_the_sites_outdoor_temperature() -> None:
    frame = site()
    trained = train_models(frame=frame[frame["time"] < SPLIT], labels=[], config=CONFIG)
    model = trained.bundle.models["pump"]
    assert trained.labels["pump"]["site_ambient"] == {
        "windows_filled": 3 * 8 * 24,
        "windows_without_source": 0,
        "sites_without_source": [],
    }
    # Its demand is its own speed, not the chillers' cooling output (NaN on its rows).
    assert model.context.inputs["bearing_temperature:level"] == [
        "speed:level",
        "ambient_temperature:level",
    ]
    residual = spell_residual(model, pump_windows(frame))
    assert residual.abs().max() < 0.2, residual


def test_without_a_source_the_pumps_are_as_before_and_the_report_says_so() -> None:
    frame = site(chillers=False)
    trained = train_models(frame=frame[frame["time"] < SPLIT], labels=[], config=CONFIG)
    model = trained.bundle.models["pump"]
    assert trained.labels["pump"]["site_ambient"] == {
        "windows_filled": 0,
        "windows_without_source": 3 * 8 * 24,
        "sites_without_source": ["s"],
    }
    windows = pump_windows(frame)
    assert not any("ambient" in c for c in windows.features.columns)
    # The weather's swing is then read as the bearing's: what the site's ambient removes.
    assert spell_residual(model, windows).min() > 0.5


def test_one_type_trained_alone_reads_its_sites_ambient_from_the_store(
    tmp_path: Path, store: SqliteStore
) -> None:
    store.write(frame_points(site(days=8)))
    info = run_training(
        store=store,
        registry=Registry(tmp_path / "models"),
        start=START.to_pydatetime(),
        end=SPLIT.to_pydatetime(),
        asset_type="pump",
        label_sources=[],
        config=CONFIG,
    )
    assert info.asset_types == ["pump"]
    assert info.metrics["pump"]["site_ambient"]["windows_filled"] == 3 * 8 * 24


def test_the_scoring_job_fills_the_sites_ambient_as_training_did(
    tmp_path: Path, store: SqliteStore
) -> None:
    """Decisions of the scoring job on the warm spell: the same scores as the batch assessment
    of the filled windows (the bench's and the evaluation's path)."""
    frame = site(days=12)
    store.write(frame_points(frame))
    registry = Registry(tmp_path / "models")
    info = run_training(
        store=store,
        registry=registry,
        start=START.to_pydatetime(),
        end=SPLIT.to_pydatetime(),
        asset_type=None,
        label_sources=[],
        config=CONFIG,
    )
    registry.promote(info.version)
    begin = START + pd.Timedelta(days=10)
    decisions, _, _ = run_cycles(store, registry, start=begin, hours=12)
    model = registry.load(info.version).models["pump"]
    first = begin - pd.Timedelta(hours=1)
    primed_from = first - pd.Timedelta(hours=prime_windows(model))
    window = frame[
        (frame["time"] >= primed_from) & (frame["time"] < begin + pd.Timedelta(hours=11))
    ]
    batch = assess_history(model, pump_windows(window).features)
    batch = batch[batch.index.get_level_values("time") >= first]
    scores = {
        (d.asset, pd.Timestamp(d.at)): d.score
        for d in decisions
        if d.asset_type == "pump" and d.detector == model.detector.name
    }
    compared = 0
    for (asset, t), score in zip(batch.index, batch["score"], strict=True):
        decided = scores.get((asset, t + pd.Timedelta(hours=1)))
        if decided is not None:
            assert decided == pytest.approx(score, rel=1e-9)
            compared += 1
    assert compared >= 12
