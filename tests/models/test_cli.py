"""`vigil models ...` from the command line, as a user runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from ingest.store.sqlite import SqliteStore
from tests.models.conftest import START, frame_points
from tests.vigil import test_cli
from vigil.commands import models as models_command

ROOT = Path(__file__).resolve().parents[2]
SKAB_FILE = ROOT.parent / "shared" / "datasets" / "skab" / "data" / "valve1" / "0.csv"


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """In-process stand-in for the vigil root command."""

    models_command.register(app)
    return app


APP = _app()


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def vigil(*args: str, env: dict[str, str] | None = None) -> Result:
    """In process (a subprocess per call costs seconds of imports); one test below runs the
    real command line."""
    result = CliRunner().invoke(APP, list(args), env={"COLUMNS": "200", **(env or {})})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def evaluate(csv: Path, *options: str) -> Result:
    """``vigil models evaluate CSV --time-col ts --label-col label OPTIONS``."""
    return vigil(
        "models", "evaluate", str(csv), "--time-col", "ts", "--label-col", "label", *options
    )


def labelled_csv(path: Path) -> Path:
    rng = np.random.default_rng(7)
    flow = rng.normal(30, 1, 900)
    flow[700:800] -= 10
    pd.DataFrame(
        {
            "ts": pd.date_range("2026-01-01", periods=900, freq="s").astype(str),
            "flow": flow,
            "vibration_rms": rng.normal(1, 0.05, 900),
            "label": ((np.arange(900) >= 700) & (np.arange(900) < 800)).astype(int),
        }
    ).to_csv(path, index=False)
    return path


def test_evaluate_labelled_csv_prints_metrics_and_writes_scores(tmp_path: Path) -> None:
    csv = labelled_csv(tmp_path / "data.csv")
    out = tmp_path / "scores.csv"
    result = evaluate(
        csv, "--train-rows", "400", "--window-rows", "10", "--scores-out", str(out), "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout.strip().splitlines()[-1])
    assert document["f1"] > 0.9
    assert document["far"] < 0.05
    assert document["windows_detected"] == 1
    scores = pd.read_csv(out)
    assert len(scores) == 500
    assert set(scores.columns) >= {"time", "score", "threshold", "is_anomalous", "fault_code"}
    assert set(scores.loc[scores["is_anomalous"] == 1, "fault_code"]) == {"process"}


def test_evaluate_with_windows_json_and_train_until(tmp_path: Path) -> None:
    csv = labelled_csv(tmp_path / "data.csv")
    windows = tmp_path / "windows.json"
    windows.write_text(
        json.dumps(
            [
                {
                    "asset": "",
                    "kind": "fault",
                    "start": "2026-01-01T00:11:40Z",
                    "end": "2026-01-01T00:13:19Z",
                }
            ]
        )
    )
    result = vigil(
        "models",
        "evaluate",
        str(csv),
        "--time-col",
        "ts",
        "--windows",
        str(windows),
        "--train-until",
        "2026-01-01T00:06:40Z",
        "--ignore-col",
        "label",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["train_rows"] == 400
    assert document["recall"] > 0.8


@pytest.mark.skipif(not SKAB_FILE.exists(), reason="SKAB is not in ../shared/datasets/skab here")
def test_evaluate_a_skab_file() -> None:
    command = [
        "models",
        "evaluate",
        str(SKAB_FILE),
        "--time-col",
        "datetime",
        "--label-col",
        "anomaly",
        "--ignore-col",
        "changepoint",
        "--train-rows",
        "400",
        "--learn-labelled",
    ]
    result = test_cli.vigil(*command)
    assert result.returncode == 0, result.stderr
    assert "F1" in result.stdout
    assert "747 test" in result.stdout
    # bench/skab.py's setting: a 10-row scale beside the 60-row one, 3 rows in a row to alarm.
    # On this file the 60-row median answers the valve late; the short scale alarms earlier.
    plain = json.loads(test_cli.vigil(*command, "--json").stdout)
    options = ["--short-window-rows", "10", "--persistence-rows", "3", "--json"]
    tuned = test_cli.vigil(*command, *options)
    assert tuned.returncode == 0, tuned.stderr
    document = json.loads(tuned.stdout)
    assert document["test_rows"] == 747
    assert document["tp"] > plain["tp"]
    assert document["mean_lead_s"] > plain["mean_lead_s"]


def test_evaluate_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    csv = labelled_csv(tmp_path / "data.csv")
    missing = vigil(
        "models",
        "evaluate",
        str(csv),
        "--time-col",
        "when",
        "--label-col",
        "label",
        "--train-rows",
        "10",
    )
    assert missing.returncode == 2
    assert "no time column 'when'" in missing.stderr
    both = vigil("models", "evaluate", str(csv), "--time-col", "ts", "--train-rows", "10")
    assert both.returncode == 2
    assert "exactly one of --label-col or --windows" in both.stderr
    too_many = evaluate(csv, "--train-rows", "5000")
    assert too_many.returncode == 2
    assert "training rows" in too_many.stderr


def test_train_list_promote_show_rollback(
    tmp_path: Path, make_fleet: Callable[..., pd.DataFrame]
) -> None:
    data_dir = tmp_path / "var"
    store = SqliteStore(data_dir / "telemetry.db")
    store.write(frame_points(make_fleet(assets=3, hours=24 * 3)))
    store.close()
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"faults": [], "data_quality": []}))
    env = {"VIGIL_DATA_DIR": str(data_dir)}
    args = (
        "models",
        "train",
        "--start",
        START.isoformat(),
        "--end",
        (START + pd.Timedelta(days=3)).isoformat(),
        "--labels",
        str(labels),
        "--no-wo-labels",
        "--json",
    )
    first = vigil(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["version"] == "v0001"
    assert vigil(*args, env=env).returncode == 0
    listed = json.loads(vigil("models", "list", "--json", env=env).stdout)
    assert [v["version"] for v in listed] == ["v0001", "v0002"]
    assert not any(v["promoted"] for v in listed)
    assert vigil("models", "promote", "v0001", env=env).returncode == 0
    assert vigil("models", "promote", "v0002", env=env).returncode == 0
    shown = json.loads(vigil("models", "show", "v0002", env=env).stdout)
    assert shown["promoted"] is True
    assert shown["asset_types"] == ["pump"]
    rolled = vigil("models", "rollback", env=env)
    assert rolled.stdout.strip() == "rolled back to v0001"
    unknown = vigil("models", "promote", "v0042", env=env)
    assert unknown.returncode == 2
    assert "no model version v0042" in unknown.stderr


def test_train_without_data_is_a_clear_error(tmp_path: Path) -> None:
    result = vigil(
        "models",
        "train",
        "--start",
        "2026-01-01T00:00:00Z",
        "--end",
        "2026-01-02T00:00:00Z",
        "--no-wo-labels",
        env={"VIGIL_DATA_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 2
    assert "no telemetry" in result.stderr


def test_evaluate_a_version_on_store_history_with_simulator_labels(
    tmp_path: Path, make_fleet: Callable[..., pd.DataFrame]
) -> None:
    data_dir = tmp_path / "var"
    onset, failure = START + pd.Timedelta(days=3), START + pd.Timedelta(days=6)
    store = SqliteStore(data_dir / "telemetry.db")
    store.write(frame_points(make_fleet(assets=3, hours=24 * 6, degrade={"p2": (onset, 0.5)})))
    store.close()
    labels = tmp_path / "fleet.labels.json"
    labels.write_text(
        json.dumps(
            {
                "format": "vigil-simulator-labels/1",
                "faults": [
                    {
                        "asset": "p2",
                        "site": "s1",
                        "asset_type": "pump",
                        "mode": "bearing_wear",
                        "fault_code": "mechanical",
                        "onset": onset.isoformat(),
                        "failure_at": failure.isoformat(),
                        "severity": 0.8,
                    }
                ],
                "data_quality": [],
            }
        )
    )
    env = {"VIGIL_DATA_DIR": str(data_dir)}
    trained = vigil(
        "models",
        "train",
        "--start",
        START.isoformat(),
        "--end",
        onset.isoformat(),
        "--no-wo-labels",
        "--promote",
        "--json",
        env=env,
    )
    assert trained.returncode == 0, trained.stderr
    result = vigil(
        "models",
        "evaluate",
        "--labels",
        str(labels),
        "--start",
        START.isoformat(),
        "--end",
        failure.isoformat(),
        "--json",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["version"] == "v0001"
    pump = document["metrics"]["pump"]
    assert pump["faults"] == 1
    assert pump["detected_share"] == 1.0
    assert pump["median_lead_days"] > 1.0
    missing = vigil("models", "evaluate", "--labels", str(labels), env=env)
    assert missing.returncode == 2
    assert "--start" in missing.stderr
