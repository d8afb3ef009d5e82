"""Training from the store, the registry's versions, promote / rollback, and tamper refusal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from ingest.store.sqlite import SqliteStore
from models.features import window_features
from models.labels import LabelWindow, StaticLabels, parse_labels
from models.model import ModelConfig
from models.registry import Registry, RegistryError
from models.training import data_hash, healthy_mask, run_training
from tests.models.conftest import START, frame_points

CONFIG = ModelConfig(every_s=3600, warmup_windows=6)
ONSET = START + pd.Timedelta(days=3)
FAILURE = START + pd.Timedelta(days=6)
FAULT = LabelWindow(
    "p2",
    ONSET.to_pydatetime(),
    FAILURE.to_pydatetime(),
    "fault",
    "pump",
    failure_at=FAILURE.to_pydatetime(),
)


@pytest.fixture
def trained(
    tmp_path: Path, store: SqliteStore, make_fleet: Callable[..., pd.DataFrame]
) -> Registry:
    fleet = make_fleet(assets=4, hours=24 * 6, every="10min", degrade={"p2": (ONSET, 0.5)})
    store.write(frame_points(fleet))
    registry = Registry(tmp_path / "models")
    steps: list[tuple[int, int]] = []
    run_training(
        store=store,
        registry=registry,
        start=START.to_pydatetime(),
        end=(START + pd.Timedelta(days=6)).to_pydatetime(),
        asset_type="pump",
        label_sources=[StaticLabels((FAULT,))],
        config=CONFIG,
        progress=lambda done, total: steps.append((done, total)),
    )
    assert steps[-1] == (6, 6)
    return registry


def test_training_writes_a_version_with_provenance_and_metrics(trained: Registry) -> None:
    [info] = trained.versions()
    assert info.version == "v0001"
    assert info.asset_types == ["pump"]
    assert info.training_start.startswith("2026-03-01")
    assert info.params["every_s"] == 3600
    assert len(info.data_hash) == 64
    assert set(info.files) == {
        "pump/model.json",
        "pump/detector.npz",
        "pump/trend.npz",
        "pump/baselines.npz",
    }
    metrics = info.metrics["pump"]
    assert metrics["faults"] == 1
    assert metrics["detected_share"] == 1.0
    assert metrics["median_lead_days"] > 1.0
    assert trained.promoted() is None  # a new version is never promoted by itself


def test_fault_windows_are_not_learned_as_healthy(make_fleet: Callable[..., pd.DataFrame]) -> None:
    fleet = make_fleet(assets=2, hours=24 * 6, degrade={"p2": (ONSET, 0.5)})
    fw = window_features(fleet, every=pd.Timedelta(hours=1).to_pytimedelta())
    healthy = healthy_mask(fw.features.index, [FAULT], every=pd.Timedelta(hours=1))
    sick = healthy[~healthy].index
    assert set(sick.get_level_values("asset")) == {"p2"}
    assert sick.get_level_values("time").min() == ONSET
    assert len(sick) == 72


def test_promote_and_rollback(trained: Registry) -> None:
    bundle = trained.load("v0001")
    second = trained.save(
        bundle,
        training_start=START.to_pydatetime(),
        training_end=FAILURE.to_pydatetime(),
        params={},
        metrics={},
        data_hash="x",
    )
    trained.promote("v0001")
    trained.promote(second.version)
    assert trained.promoted() == "v0002"
    assert trained.rollback() == "v0001"
    assert trained.promoted() == "v0001"
    with pytest.raises(RegistryError, match="nothing to roll back"):
        trained.rollback()


def test_tampered_artifact_is_refused(trained: Registry) -> None:
    path = trained.root / "versions" / "v0001" / "pump" / "model.json"
    header = json.loads(path.read_text())
    header["threshold"]["value"] = 1e9
    path.write_text(json.dumps(header))
    with pytest.raises(RegistryError, match="sha256"):
        trained.load("v0001")
    with pytest.raises(RegistryError):
        trained.promote("v0001")


def test_unknown_version_is_a_clear_error(trained: Registry) -> None:
    with pytest.raises(RegistryError, match="no model version v0009"):
        trained.show("v0009")
    with pytest.raises(RegistryError, match="not a version id"):
        trained.show("../../etc")


def test_data_hash_depends_on_content_not_row_order(
    make_fleet: Callable[..., pd.DataFrame],
) -> None:
    fleet = make_fleet(assets=2, hours=4)
    assert data_hash(fleet) == data_hash(fleet.sample(frac=1.0, random_state=1))
    changed = fleet.copy()
    changed["vibration_rms"] = changed["vibration_rms"] + (changed.index == 0)
    assert data_hash(changed) != data_hash(fleet)


def test_simulator_labels_document_is_parsed() -> None:
    windows = parse_labels(
        {
            "faults": [
                {
                    "asset": "a1",
                    "site": "s1",
                    "asset_type": "pump",
                    "mode": "bearing_wear",
                    "onset": "2026-03-02T00:00:00Z",
                    "failure_at": "2026-03-09T00:00:00Z",
                    "severity": 0.8,
                }
            ],
            "data_quality": [
                {
                    "asset": "a2",
                    "kind": "stuck",
                    "start": "2026-03-03T00:00:00Z",
                    "end": "2026-03-03T06:00:00Z",
                }
            ],
        }
    )
    assert [(w.asset, w.kind, w.mode) for w in windows] == [
        ("a1", "fault", "bearing_wear"),
        ("a2", "data_quality", "stuck"),
    ]
    assert windows[0].failure_at == windows[0].end
