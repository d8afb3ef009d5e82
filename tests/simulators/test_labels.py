"""Ground-truth labels: the documented JSON format, its loader, and the shipped file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from simulators import build_labels, load_labels, load_scenario
from simulators.labels import LabelsError, labels_to_json, write_labels
from simulators.scenario import SCENARIO_DIR
from tests.simulators.builders import START_S


def test_labels_round_trip_through_the_documented_format(tmp_path: Path) -> None:
    demo = load_scenario("demo")
    labels = build_labels(demo, seed=1, start_s=START_S)
    path = tmp_path / "labels.json"
    write_labels(labels, path)
    document = orjson.loads(path.read_bytes())
    assert document["format"] == "vigil-simulator-labels/1"
    assert document["faults"] == [
        {
            "asset": "lift-002",
            "site": "tower",
            "asset_type": "elevator",
            "mode": "bearing_wear",
            "fault_code": "mechanical",
            "onset": "2026-10-01T01:30:00Z",
            "failure_at": "2026-10-01T05:30:00Z",
            "severity": 1.0,
        }
    ]
    assert document["data_quality"] == [
        {
            "asset": "chiller-001",
            "site": "tower",
            "asset_type": "chiller",
            "kind": "stuck",
            "fault_code": "dq_stuck_sensor",
            "start": "2026-10-01T02:00:00Z",
            "end": "2026-10-01T02:40:00Z",
            "metric": "discharge_temperature",
        }
    ]
    loaded = load_labels(path)
    assert loaded == labels
    assert loaded.faults_of("lift-002")[0].failure_at == datetime(2026, 10, 1, 5, 30, tzinfo=UTC)


def test_events_after_the_run_are_left_out() -> None:
    labels = build_labels(load_scenario("demo"), seed=1, start_s=START_S, end_s=START_S + 3600)
    assert labels.faults == []
    assert labels.data_quality == []


def test_shipped_fleet_labels_match_the_scenario() -> None:
    fleet = load_scenario("fleet-30d")
    assert fleet.start is not None
    labels = build_labels(fleet, seed=fleet.seed, start_s=fleet.start.timestamp())
    shipped = SCENARIO_DIR / "fleet-30d.labels.json"
    assert shipped.read_bytes() == labels_to_json(labels)


def test_models_read_the_labels(tmp_path: Path) -> None:
    # The models' evaluation has its own reader (models may not import simulators).
    from models.labels import read_labels

    path = tmp_path / "labels.json"
    write_labels(build_labels(load_scenario("demo"), seed=1, start_s=START_S), path)
    windows = read_labels(path)
    assert {(w.asset, w.kind, w.mode) for w in windows} == {
        ("lift-002", "fault", "bearing_wear"),
        ("chiller-001", "data_quality", "stuck"),
    }


def test_bad_labels_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(LabelsError, match="expected format"):
        load_labels(path)
    path.write_text('{"format": "vigil-simulator-labels/1", "scenario": "x"}')
    with pytest.raises(LabelsError, match="malformed"):
        load_labels(path)
