"""Telemetry is the judge of a repair: simulator -> real scorer -> alerts -> work order -> follow-up.

One simulated pump fleet, one pump's bearing wearing from day 4. Its work order is resolved at
day 5.5; then either nothing was really fixed (the simulator's fault runs on) or the bearing was
replaced (from the repair on, the pump publishes what its healthy twin, same seed and noise,
publishes). The scorer runs hourly over both in simulated time; the follow-up job runs after
every cycle, as the scheduler in ``vigil serve`` does, with a three-day verification period.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from alerts.flows import handle_decisions
from ingest.store.sqlite import SqliteStore
from models.base import Decision
from models.scoring import score_cycle
from models.scoring_state import ScoringState
from simulators.fleet import asset_frame, streams
from simulators.scenario import Scenario, parse_scenario
from tests.models.conftest import START, frame_points
from tests.models.test_scoring import ONSET, trained_registry
from tests.workorders.dbkit import Db
from workorders import service as workorders
from workorders.models import ResolutionCode, Status, WorkOrder, WorkOrderAudit

REPAIR = (START + pd.Timedelta(days=5, hours=12)).to_pydatetime()
END = START + pd.Timedelta(days=9)
PUMP = "works-pump-002"
PERIOD = timedelta(days=3)

Cycle = tuple[datetime, list[Decision]]


def _scenario(*, faulty: bool) -> Scenario:
    wear = {"asset": PUMP, "mode": "bearing_wear", "onset": "4d", "time_to_failure": "4d"}
    return parse_scenario(
        {
            "name": "repair-verification",
            "seed": 5,
            "duration": "9d",
            "reading_interval": "10m",
            "sites": [{"id": "works", "climate": {"mean": 12.0, "utc_offset_h": 1.0}}],
            "fleets": [{"site": "works", "type": "pump", "count": 4}],
            "faults": [wear] if faulty else [],
        }
    )


def _telemetry(scenario: Scenario) -> pd.DataFrame:
    """What the simulated gateways publish, as rows the store returns."""
    frames = []
    for stream in streams(scenario, seed=5, start_s=START.timestamp()):
        frame = asset_frame(stream).rename_axis("time").reset_index()
        frame["site"], frame["asset"] = stream.asset.site, stream.asset.id
        frame["asset_type"] = stream.asset.asset_type
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Run:
    store: Path
    cycles: list[Cycle]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Hourly scoring cycles from the fault's onset to day 9, for both outcomes of the repair."""
    root = tmp_path_factory.mktemp("repair")
    worn, twin = _telemetry(_scenario(faulty=True)), _telemetry(_scenario(faulty=False))
    # Trained on the four healthy days and promoted, as the models tests do it.
    registry = trained_registry(root, worn, [])
    repaired = pd.concat(
        [worn[worn["time"] < REPAIR], twin[twin["time"] >= REPAIR]], ignore_index=True
    )
    out: dict[str, Run] = {}
    for name, telemetry in (("fault_continues", worn), ("repaired", repaired)):
        path = root / f"{name}.db"
        store = SqliteStore(path)
        try:
            store.write(frame_points(telemetry))
            state = ScoringState()
            cycles: list[Cycle] = []
            for hour in range(int((END - ONSET) / pd.Timedelta(hours=1))):
                now = (ONSET + pd.Timedelta(hours=hour + 1)).to_pydatetime()
                batch: list[Decision] = []
                score_cycle(
                    store=store, registry=registry, now=now, state=state, on_decisions=batch.extend
                )
                cycles.append((now, batch))
        finally:
            store.close()
        out[name] = Run(path, cycles)
    return out


def _doc_blocks() -> list[dict[str, Any]]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "field-service.md").read_text("utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)\n```", text, re.S)]
    return [b for b in blocks if isinstance(b, dict)]


def _resolve_the_pump(db: Db, now: datetime) -> WorkOrder:
    with db.factory() as session:
        (wo,) = session.scalars(
            sa.select(WorkOrder).where(WorkOrder.fault_code == "mechanical")
        ).all()
        assert wo.asset.asset == PUMP
        assert wo.status is Status.OPEN
        workorders.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            notes="bearing replaced",
            expected_version=None,
            actor="engineer",
            now=now,
        )
        session.commit()
        return wo


def _play(db: Db, run: Run) -> WorkOrder:
    """Feed every cycle's decisions to the alerts, resolve at the repair, follow up each hour."""
    from followup.health import store_health
    from followup.scheduled import verify_repairs
    from followup.service import VerificationPolicy

    policy = VerificationPolicy(period=PERIOD)
    resolved: WorkOrder | None = None
    store = SqliteStore(run.store)
    try:
        for now, decisions in run.cycles:
            if decisions:
                handle_decisions(session_factory=db.factory, decisions=decisions, now=now)
            if now == REPAIR:
                resolved = _resolve_the_pump(db, now)
            verify_repairs(
                session_factory=db.factory, health=store_health(store), now=now, policy=policy
            )
    finally:
        store.close()
    assert resolved is not None
    with db.factory() as session:
        return workorders.get_work_order(session=session, ref=resolved.id)


def test_a_repair_whose_alert_is_still_firing_is_reopened_as_a_repeat_repair(
    db: Db, runs: dict[str, Run]
) -> None:
    from followup.models import Outcome, RepairVerification

    wo = _play(db, runs["fault_continues"])
    assert wo.status is Status.REOPENED, f"{wo.number} is {wo.status.value}: the fault never left"
    assert wo.repeat_count == 1
    assert wo.closed_at is None
    with db.factory() as session:
        (verdict,) = session.scalars(sa.select(RepairVerification)).all()
        actions = [a.action for a in session.scalars(sa.select(WorkOrderAudit))]
    assert verdict.work_order_id == wo.id
    assert verdict.outcome is Outcome.REPEAT_REPAIR
    assert verdict.resolved_at == REPAIR
    assert verdict.decided_at == REPAIR + PERIOD
    # The evidence: which alert, since when, with what score; and the health it saw.
    (alert,) = verdict.evidence["alerts"]
    assert alert["state"] == "firing"
    assert alert["fault_code"] == "mechanical"
    assert datetime.fromisoformat(alert["firing_at"]) < REPAIR
    assert alert["peak_score"] > alert["threshold"]
    assert verdict.evidence["health"]["abnormal_windows"] > 0
    assert "status:resolved->reopened (repeat repair)" in actions
    # docs/field-service.md shows this evidence: same fields.
    shown = next(b for b in _doc_blocks() if "alerts" in b)
    assert set(shown["alerts"][0]) == set(alert)
    assert set(shown["health"]) == set(verdict.evidence["health"])
    assert set(shown["health"]["worst"]) == set(verdict.evidence["health"]["worst"])


def test_a_repair_followed_by_healthy_telemetry_closes_as_verified(
    db: Db, runs: dict[str, Run]
) -> None:
    from followup.models import Outcome, RepairVerification

    wo = _play(db, runs["repaired"])
    assert wo.status is Status.CLOSED
    assert wo.repeat_count == 0
    assert wo.closed_at == REPAIR + PERIOD
    assert wo.follow_up_until == REPAIR + PERIOD  # the document's verify_until said when
    with db.factory() as session:
        (verdict,) = session.scalars(sa.select(RepairVerification)).all()
    assert verdict.outcome is Outcome.VERIFIED
    assert verdict.evidence["alerts"] == []
    health = verdict.evidence["health"]
    assert health["windows"] >= 24
    assert health["abnormal_windows"] == 0
