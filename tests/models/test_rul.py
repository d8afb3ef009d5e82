"""Remaining useful life: `vigil models rul evaluate` on synthetic run-to-failure histories whose
answer is known, the interval's coverage on unseen units, and save/load without pickles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.rul.evaluation import cut_units, judge
from models.rul.model import RulConfig, RulModel
from models.rul.storage import TRUSTED_TYPES, UntrustedRulArtifact, from_files, to_files
from tests.models.test_cli import vigil

CAP = 40.0


def histories(units: range, *, seed: int, noise: float = 0.2) -> pd.DataFrame:
    """Units with lives of 60-120 cycles. Sensor ``wear`` rises by 0.1 a cycle over the last
    40 cycles (flat before), ``temp`` is noise around 50, ``setting1`` wobbles: the remaining
    life (capped at 40) is ``(4 - wear) / 0.1``, exactly, in the noise-free case."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit in units:
        life = int(rng.integers(60, 121))
        for cycle in range(1, life + 1):
            remaining = life - cycle
            wear = 0.1 * max(0.0, CAP - remaining)
            rows.append(
                (
                    unit,
                    cycle,
                    rng.normal(0, 0.001),
                    wear + rng.normal(0, noise),
                    50 + rng.normal(0, 1),
                    7.0,
                )
            )
    return pd.DataFrame(rows, columns=["unit", "cycle", "setting1", "wear", "temp", "constant"])


def test_evaluate_command_predicts_known_remaining_life(tmp_path: Path) -> None:
    train = histories(range(1, 31), seed=1, noise=0.02)
    test, truth = cut_units(
        histories(range(101, 111), seed=2, noise=0.02), unit_col="unit", time_col="cycle", seed=3
    )
    for name, frame in (("train", train), ("test", test), ("truth", truth)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    out = tmp_path / "out.csv"
    result = vigil(
        "models", "rul", "evaluate", str(tmp_path / "train.csv"),
        "--test", str(tmp_path / "test.csv"), "--unit-col", "unit", "--time-col", "cycle",
        "--predictions-out", str(out), "--truth", str(tmp_path / "truth.csv"),
        "--cap", str(CAP), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    predicted = pd.read_csv(out)
    assert list(predicted.columns) == ["unit", "rul", "rul_low", "rul_high"]
    assert sorted(predicted["unit"]) == sorted(truth["unit"])
    assert document["sensors"] == ["wear", "temp"]  # the constant column is dropped
    assert document["test_units"] == 10
    assert document["train_units"] == 30
    # The wear tells the remaining life to within a cycle.
    assert document["rmse"] < 1.0, document
    assert (predicted["rul_low"] <= predicted["rul"]).all()
    assert (predicted["rul"] <= predicted["rul_high"]).all()
    assert document["coverage"] >= 0.8


def test_evaluate_command_refuses_bad_input_with_a_message(tmp_path: Path) -> None:
    histories(range(1, 4), seed=1).to_csv(tmp_path / "few.csv", index=False)
    result = vigil(
        "models", "rul", "evaluate", str(tmp_path / "few.csv"), "--test", str(tmp_path / "few.csv")
    )
    assert result.returncode == 2
    assert "at least 5 are needed" in result.stderr
    result = vigil(
        "models", "rul", "evaluate", str(tmp_path / "few.csv"),
        "--test", str(tmp_path / "few.csv"), "--unit-col", "engine",
    )  # fmt: skip
    assert result.returncode == 2
    assert "no column 'engine'" in result.stderr
    assert "--unit-col" in result.stderr


def test_interval_covers_the_truth_as_stated_on_unseen_units() -> None:
    """The 90 % CV+ interval holds the true (capped) remaining life of about 90 % of units the
    model never saw, cut at random points, with noisy wear."""
    model = RulModel.fit(
        histories(range(60), seed=5, noise=0.6),
        unit_col="unit",
        time_col="cycle",
        config=RulConfig(cap=CAP, boosting={"max_iter": 60, "learning_rate": 0.1}),
    )
    test, truth = cut_units(
        histories(range(1000, 1150), seed=6, noise=0.6),
        unit_col="unit",
        time_col="cycle",
        seed=7,
        cuts=2,
    )
    figures = judge(model.predict_last(test), truth, unit_col="unit", cap=CAP)
    assert 0.84 <= figures["coverage"] <= 0.97, figures
    assert figures["mean_width"] < CAP  # and it says something


def test_saved_model_predicts_the_same_and_refuses_untrusted_types() -> None:
    train = histories(range(10), seed=8)
    model = RulModel.fit(
        train, unit_col="unit", time_col="cycle", config=RulConfig(boosting={"max_iter": 20})
    )
    files = to_files(model)
    loaded = from_files(files)
    pd.testing.assert_frame_equal(model.predict_last(train), loaded.predict_last(train))
    assert TRUSTED_TYPES  # the loader names what it accepts
    import skops.io as sio

    files["rul_trees_0.skops"] = sio.dumps(pd.Timestamp("2026-01-01"))
    with pytest.raises(UntrustedRulArtifact):
        from_files(files)


def test_split_holds_out_whole_units_cut_like_the_cmapss_test_units(tmp_path: Path) -> None:
    """`vigil models rul split` then `evaluate` with their defaults, as bench/README.md runs
    them: held-out units never train, each is cut with its true remaining life written."""
    histories(range(1, 21), seed=9).to_csv(tmp_path / "all.csv", index=False)
    out = tmp_path / "split"
    result = vigil(
        "models", "rul", "split", str(tmp_path / "all.csv"), "--out-dir", str(out),
        "--folds", "5", "--fold", "1", "--cuts", "2", "--seed", "3",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    train, test, truth = (pd.read_csv(out / f"{n}.csv") for n in ("train", "test", "truth"))
    held = {int(str(u).split("#")[0]) for u in test["unit"]}
    assert len(held) == 4
    assert held.isdisjoint(set(train["unit"]))
    assert len(truth) == 8
    full = histories(range(1, 21), seed=9)
    for unit, remaining in truth.itertuples(index=False):
        life = len(full[full["unit"] == int(str(unit).split("#")[0])])
        kept = len(test[test["unit"] == unit])
        assert kept + remaining == life
        assert kept >= 31
        assert 5 <= remaining <= 150
    bad = vigil("models", "rul", "split", str(tmp_path / "all.csv"), "--out-dir", str(out),
                "--fold", "5")  # fmt: skip
    assert bad.returncode == 2
    assert "--fold must be below --folds" in bad.stderr


def test_the_trend_estimate_is_moved_and_widened_by_its_calibration() -> None:
    """A calibrated trend (``lead_calibration``, in windows) adds its bin's middle, low and
    high errors to the line's predicted lead, and keeps them through save and load; the
    calibration's ends are the conformal ranks of the errors in each bin."""
    from models import detectors
    from models.detectors.trend import DegradationTrend
    from models.model import ModelConfig
    from models.rul.lead import LeadCalibration
    from models.rul.trend import trend_failure

    errors = np.linspace(-20.0, 20.0, 39)  # true - predicted lead (windows) of 39 faults
    calibration = LeadCalibration.fit(predicted=[48.0] * 39, true=list(48.0 + errors), bins=1)
    # (39 + 1) * 0.05 = 2nd and (39 + 1) * 0.95 = 38th smallest, and the median
    assert len(calibration.offsets) == 1
    assert calibration.offsets[0] == pytest.approx((errors[1], 0.0, errors[37]))

    params = {**ModelConfig().trend_params, "lead_calibration": calibration.to_json()}
    times = pd.date_range("2026-01-01", periods=96, freq="h", tz="UTC")
    index = pd.MultiIndex.from_product([["a1"], times], names=["asset", "time"])
    wear = pd.DataFrame({"vib": np.r_[np.zeros(48), np.linspace(0, 4, 48)]}, index=index)
    healthy = pd.DataFrame({"vib": np.random.default_rng(0).normal(0, 1, 200)})
    own = ModelConfig(trend_params={**params, "lead_calibration": None}).trend().fit(healthy)
    trend = ModelConfig(trend_params=params).trend().fit(healthy)
    loaded = detectors.load(detectors.dump(trend))
    assert isinstance(loaded, DegradationTrend)
    assert loaded.lead_calibration == trend.lead_calibration
    line = trend_failure(own, wear).iloc[-1]["failure_at"]
    last = trend_failure(loaded, wear).iloc[-1]
    hour = pd.Timedelta(hours=1)
    second = pd.Timedelta("1s")
    assert last["failure_at"] == pytest.approx(line, abs=second)  # median error 0
    assert last["failure_low"] - line == pytest.approx(errors[1] * hour, abs=second)
    assert last["failure_high"] - line == pytest.approx(errors[37] * hour, abs=second)


def test_a_version_saved_with_the_earlier_log_ratio_calibration_still_reads_it() -> None:
    from models import detectors
    from models.detectors.trend import DegradationTrend

    old = DegradationTrend(lead_interval=(-2.0, 2.5)).fit(
        pd.DataFrame({"vib": np.random.default_rng(0).normal(0, 1, 200)})
    )
    loaded = detectors.load(detectors.dump(old))
    assert isinstance(loaded, DegradationTrend)
    assert loaded.lead_interval == (-2.0, 2.5)
    assert loaded.lead_calibration is None
