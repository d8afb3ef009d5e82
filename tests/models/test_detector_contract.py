"""The contract every registered detector keeps (after river/checks)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from models import detectors
from models.base import Detector

NAMES = sorted(detectors.DETECTORS)


def healthy(seed: int = 0, rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    times = pd.date_range("2026-01-01", periods=rows, freq="1h", tz="UTC")
    index = pd.MultiIndex.from_product([["a1"], times], names=["asset", "time"])
    return pd.DataFrame(
        {
            "vibration_rms:level": 1 + 0.1 * x,
            "temperature:level": 50 + rng.normal(0, 1, rows),
            "flow:level": 30 + 3 * x + rng.normal(0, 0.3, rows),
        },
        index=index,
    )


def make(name: str) -> detectors.SavableDetector:
    params = {"n_estimators": 30} if name == "iforest" else {}
    return detectors.create(name, **params)


@pytest.mark.parametrize("name", NAMES)
def test_is_a_detector_with_its_registered_name(name: str) -> None:
    detector = make(name)
    assert isinstance(detector, Detector)
    assert detector.name == name


@pytest.mark.parametrize("name", NAMES)
def test_save_load_round_trip_gives_identical_scores(name: str) -> None:
    detector = make(name).fit(healthy())
    probe = healthy(seed=1, rows=50)
    loaded = detectors.load(detectors.dump(detector))
    np.testing.assert_array_equal(loaded.score(probe), detector.score(probe))
    pd.testing.assert_frame_equal(loaded.explain(probe), detector.explain(probe))


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_scores(name: str) -> None:
    probe = healthy(seed=2, rows=50)
    first = make(name).fit(healthy()).score(probe)
    second = make(name).fit(healthy()).score(probe)
    pd.testing.assert_series_equal(first, second)


@pytest.mark.parametrize("name", NAMES)
def test_anomaly_scores_higher_than_healthy(name: str) -> None:
    detector = make(name).fit(healthy())
    probe = healthy(seed=3, rows=60)
    shifted = probe.copy()
    shifted["vibration_rms:level"] += np.linspace(0.0, 3.0, 60)  # up to 30 sigma
    shifted["temperature:level"] += np.linspace(0.0, 30.0, 60)
    assert detector.score(shifted).iloc[-1] > detector.score(probe).quantile(0.9)


@pytest.mark.parametrize("name", NAMES)
def test_missing_or_extra_metric_does_not_crash(name: str) -> None:
    detector = make(name).fit(healthy())
    probe = healthy(seed=4, rows=20)
    missing = detector.score(probe.drop(columns=["flow:level"]))
    extra = detector.score(probe.assign(**{"pressure:level": 3.0}))
    assert np.isfinite(missing).all()
    assert len(missing) == 20
    np.testing.assert_allclose(extra, detector.score(probe))
    assert detector.explain(probe.drop(columns=["flow:level"])).shape[0] == 20


@pytest.mark.parametrize("name", NAMES)
def test_score_before_fit_is_neutral(name: str) -> None:
    probe = healthy(seed=5, rows=10)
    scores = make(name).score(probe)
    assert (scores == 0).all()
    assert scores.index.equals(probe.index)


@pytest.mark.parametrize("name", NAMES)
def test_nan_values_give_finite_scores(name: str) -> None:
    detector = make(name).fit(healthy())
    probe = healthy(seed=6, rows=10)
    probe.iloc[3, 0] = np.nan
    assert np.isfinite(detector.score(probe)).all()


def test_load_refuses_unknown_detector_name() -> None:
    buffer = io.BytesIO()
    header = json.dumps({"name": "pickle", "meta": {}}).encode()
    np.savez(buffer, __meta__=np.frombuffer(header, dtype=np.uint8))
    with pytest.raises(ValueError, match="unknown detector"):
        detectors.load(buffer.getvalue())


def test_load_never_unpickles_object_arrays() -> None:
    buffer = io.BytesIO()
    header = json.dumps({"name": "robust", "meta": {"columns": [], "aggregate": "max"}}).encode()
    np.savez(
        buffer,
        __meta__=np.frombuffer(header, dtype=np.uint8),
        a_median=np.array([object()], dtype=object),
        a_scale=np.ones(1),
    )
    with pytest.raises(ValueError, match="pickle"):
        detectors.load(buffer.getvalue())
