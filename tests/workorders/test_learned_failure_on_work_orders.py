"""End to end: confirmed failures in the work orders train the remaining-life model, the scorer
uses it, and the work order it opens says "learned" with a failure time whose interval holds the
truth; with too few confirmed failures the trend's estimate is used and said (SQLite and
PostgreSQL work orders, telemetry in the real embedded store).

The fleet of ``test_rul_from_work_orders``: six pumps, each wearing for three days until a repair
resolved as ``confirmed_fault``. After training, p2 wears again from day 13 at the same rate, so
its true failure is three days later; the scoring job runs hour by hour through it, its
decisions go through the alert state machine, which opens the work order.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from alerts.flows import handle_decisions
from ingest.store.sqlite import SqliteStore
from models.base import Decision
from models.model import ModelConfig
from models.scoring import score_cycle
from models.scoring_state import ScoringState
from tests.models.conftest import START, fleet_frame, frame_points
from tests.workorders.dbkit import Db
from tests.workorders.test_rul_from_work_orders import (
    CONFIG,
    END,
    PUMPS,
    WEAR_DAYS,
    confirm,
    train,
)
from workorders.models import WorkOrder

AGAIN = START + pd.Timedelta(days=13)  # p2's second wear starts
FAILURE = AGAIN + pd.Timedelta(days=WEAR_DAYS)  # and this is when it fails


def later_telemetry() -> pd.DataFrame:
    """Days 12 to 16 of the same fleet (other noise), p2 wearing again from day 13."""
    fleet = fleet_frame(
        assets=PUMPS, hours=24 * 16, every="10min", seed=1, degrade={"p2": (AGAIN, 0.5)}
    )
    times = pd.to_datetime(fleet["time"], utc=True)
    return fleet[(times >= END).to_numpy()]


def score_through_the_wear(
    db: Db, tmp_path: Path, config: ModelConfig = CONFIG
) -> tuple[list[Decision], WorkOrder | None]:
    registry, version = train(db, tmp_path, config)
    registry.promote(version)
    store = SqliteStore(tmp_path / "telemetry.db")
    store.write(frame_points(later_telemetry()))
    state = ScoringState()
    decisions: list[Decision] = []
    now = END + pd.Timedelta(hours=1)
    while now < FAILURE:
        moment: datetime = now.to_pydatetime()

        def handle(batch: list[Decision], moment: datetime = moment) -> None:
            decisions.extend(batch)
            handle_decisions(session_factory=db.factory, decisions=batch, now=moment)

        score_cycle(store=store, registry=registry, now=moment, state=state, on_decisions=handle)
        now += pd.Timedelta(hours=1)
    store.close()
    with db.factory() as session:
        # p2's confirmed work order from training, reopened as a repeat repair, or a new one.
        touched = [
            wo
            for wo in session.scalars(sa.select(WorkOrder))
            if wo.updated_at >= END and wo.asset.asset == "p2" and wo.fault_code == "mechanical"
        ]
        for wo in touched:
            session.expunge(wo)
    assert len(touched) <= 1
    return decisions, (touched[0] if touched else None)


def test_the_work_order_takes_its_failure_time_from_the_learned_model(
    db: Db, tmp_path: Path
) -> None:
    confirm(db, pumps=PUMPS)
    decisions, wo = score_through_the_wear(db, tmp_path)

    assert wo is not None, "p2's second wear opened no work order"
    assert wo.predicted_failure_source == "learned"
    assert wo.predicted_failure_at is not None
    assert wo.predicted_failure_low is not None
    truth = FAILURE.to_pydatetime()
    high = wo.predicted_failure_high
    # The stated interval holds the truth, and the estimate is nearer it than a day's work.
    assert wo.predicted_failure_low <= truth
    assert high is None or truth <= high
    assert abs((wo.predicted_failure_at - truth).total_seconds()) < 36 * 3600
    # Every decision with an estimate says it came from the learned model.
    sources = {d.rul_source for d in decisions if d.predicted_failure_low is not None}
    assert sources == {"learned"}


def test_with_too_few_confirmed_failures_the_trend_is_used(db: Db, tmp_path: Path) -> None:
    """The same six failures, under the product's default of ten needed: the same detector
    (same labels), no learned model."""
    confirm(db, pumps=PUMPS)
    config = replace(CONFIG, rul_min_failures=ModelConfig().rul_min_failures)
    assert config.rul_min_failures > PUMPS
    decisions, wo = score_through_the_wear(db, tmp_path, config)

    estimated = [d for d in decisions if d.predicted_failure_at is not None]
    assert estimated, "the trend predicted no failure while p2 wore"
    assert {d.rul_source for d in estimated} == {"trend"}
    assert wo is not None, "p2's second wear opened no work order"
    assert wo.predicted_failure_at is not None
    assert wo.predicted_failure_source == "trend"
