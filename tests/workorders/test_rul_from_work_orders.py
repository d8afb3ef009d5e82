"""Remaining useful life learned from confirmed failures in the work orders (SQLite and
PostgreSQL work orders, telemetry in the real embedded store).

Six pumps over twelve days; each wears from its own onset until a repair three days later,
resolved as ``confirmed_fault`` (then runs as new). ``run_training`` must build one
run-to-failure history per confirmed work order from the telemetry before it, learn the
remaining life, keep it in the registry version, and predict a shorter life near a failure than
days before it; with fewer confirmed failures than the model needs, it says so and learns none.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ingest.store.sqlite import SqliteStore
from models.model import ModelConfig
from models.registry import Registry
from models.rul.outcomes import UNIT, WINDOW, failure_histories
from models.training import run_training
from tests.models.conftest import START, fleet_frame, frame_points
from tests.workorders.dbkit import Db, decision
from workorders import from_alerts, service
from workorders.labels import WorkOrderLabels
from workorders.models import ResolutionCode

PUMPS = 6
CONFIG = ModelConfig(every_s=3600, warmup_windows=6, rul_min_failures=PUMPS)
END = START + pd.Timedelta(days=12)
WEAR_DAYS = 3.0


def onset(i: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=3, hours=17 * i)


def repaired(i: int) -> pd.Timestamp:
    return onset(i) + pd.Timedelta(days=WEAR_DAYS)


def telemetry() -> pd.DataFrame:
    degrade = {f"p{i + 1}": (onset(i), 0.5) for i in range(PUMPS)}
    fleet = fleet_frame(assets=PUMPS, hours=24 * 12, every="10min", degrade=degrade)
    unworn = fleet_frame(assets=PUMPS, hours=24 * 12, every="10min")
    times = pd.to_datetime(fleet["time"], utc=True)
    for i in range(PUMPS):
        after = ((fleet["asset"] == f"p{i + 1}") & (times >= repaired(i))).to_numpy()
        fleet.loc[after, "vibration_rms"] = unworn.loc[after, "vibration_rms"]
    return fleet


def confirm(db: Db, *, pumps: int) -> None:
    """A work order per pump, detected a day before its repair, resolved as a confirmed fault
    at the repair."""
    for i in range(pumps):
        at = (repaired(i) - pd.Timedelta(days=1)).to_pydatetime()
        with db.factory() as session:
            opened = from_alerts.open_for_alert(
                session=session,
                decision=decision(asset=f"p{i + 1}", at=at, asset_type="pump"),
                now=at,
            )
            service.record_resolution(
                session=session,
                work_order_id=opened.work_order.id,
                code=ResolutionCode.CONFIRMED_FAULT,
                no_acceptance_reason="customer not on site (test)",
                expected_version=None,
                actor="field engineer",
                now=repaired(i).to_pydatetime(),
            )
            session.commit()


def train(db: Db, tmp_path: Path, config: ModelConfig = CONFIG) -> tuple[Registry, str]:
    """Telemetry into ``tmp_path / "telemetry.db"``, trained with the work-order labels."""
    store = SqliteStore(tmp_path / "telemetry.db")
    store.write(frame_points(telemetry()))
    registry = Registry(tmp_path / "models")
    info = run_training(
        store=store,
        registry=registry,
        start=START.to_pydatetime(),
        end=END.to_pydatetime(),
        asset_type="pump",
        label_sources=[WorkOrderLabels(db.factory)],
        config=config,
    )
    store.close()
    return registry, info.version


def test_remaining_life_is_learned_from_confirmed_work_orders(db: Db, tmp_path: Path) -> None:
    confirm(db, pumps=PUMPS)
    registry, version = train(db, tmp_path)

    report = registry.show(version).metrics["pump"]["rul"]
    assert report["trained"] is True
    assert (report["confirmed_failures"], report["histories"]) == (PUMPS, PUMPS)
    type_model = registry.load(version).models["pump"]
    model = type_model.rul  # saved and loaded with the version
    assert model is not None
    assert "vibration_rms:level" in model.features.sensors

    # p4's own history (one of the units): far from its failure the model says more life
    # than near it, and near it the interval holds the truth.
    from models.features import window_features
    from models.labels import LabelWindow

    every = pd.Timedelta(hours=1).to_pytimedelta()
    # Against each pump's own baseline, as training and the scorer read them.
    features = type_model.baselines.normalise(window_features(telemetry(), every=every).features)
    failure = LabelWindow("p4", onset(3).to_pydatetime(), repaired(3).to_pydatetime(), "fault")
    history = failure_histories(
        features=features, failures=[failure], every=every, history_windows=720, min_windows=48
    )
    predicted = model.predict(history)
    truth = len(history) - 1 - history[WINDOW].to_numpy()
    far = np.flatnonzero(truth == 60)[0]
    near = np.flatnonzero(truth == 6)[0]
    assert predicted["rul"].iloc[far] > predicted["rul"].iloc[near] + 20
    assert predicted["rul_low"].iloc[near] <= 6 + 12
    assert predicted["rul_high"].iloc[near] >= 6
    assert history[UNIT].nunique() == 1


def test_too_few_confirmed_failures_learn_no_remaining_life(db: Db, tmp_path: Path) -> None:
    confirm(db, pumps=2)
    registry, version = train(db, tmp_path)

    report = registry.show(version).metrics["pump"]["rul"]
    assert report["trained"] is False
    assert report["histories"] == 2
    assert f"{PUMPS} are needed" in report["reason"]
    assert registry.load(version).models["pump"].rul is None
