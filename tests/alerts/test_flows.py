"""The alert state machine end to end through the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from alerts import service
from alerts.flows import handle_decisions
from alerts.machine import Tally
from alerts.models import Alert, AlertState, Suppression
from alerts.policy import AlertPolicy
from models.base import Decision
from tests.workorders.dbkit import T0, Db, decision, series
from workorders.errors import InvalidInput
from workorders.models import Kind, Priority, WorkOrder

POLICY = AlertPolicy(pending_windows=3, resolve_windows=3, resolve_ratio=0.8, flap_max_fires=3)


def run(db: Db, decisions: list[Decision], policy: AlertPolicy = POLICY) -> Tally:
    return handle_decisions(
        session_factory=db.factory, decisions=decisions, now=decisions[-1].at, policy=policy
    )


def alerts(db: Db, asset: str = "pump-1") -> list[Alert]:
    with db.factory() as session:
        query = sa.select(Alert).where(Alert.asset == asset).order_by(Alert.started_at)
        found = list(session.scalars(query))
        for alert in found:
            _ = alert.transitions  # loaded while the session is open
        return found


def work_orders(db: Db, asset: str = "pump-1") -> list[WorkOrder]:
    with db.factory() as session:
        return list(
            session.scalars(
                sa.select(WorkOrder)
                .join(WorkOrder.asset)
                .where(sa.text(f"assets.asset = '{asset}'"))
            )
        )


def test_pending_then_firing_after_n_windows_opens_one_work_order(db: Db) -> None:
    tally = run(db, series([0.5, 1.4, 1.5, 1.6, 1.7, 1.8]))
    assert tally.fired == 1
    assert len(tally.created) == 1
    (alert,) = alerts(db)
    assert alert.state is AlertState.FIRING
    assert [t.to_state for t in alert.transitions][:2] == [AlertState.PENDING, AlertState.FIRING]
    assert alert.transitions[1].at == T0 + timedelta(minutes=3)
    assert "3 consecutive" in alert.transitions[1].cause
    assert alert.work_order_id == work_orders(db)[0].id


def test_short_blip_is_cleared_and_recorded_without_work_order(db: Db) -> None:
    tally = run(db, series([1.5, 1.5, 0.2, 0.2]))
    assert (tally.fired, tally.cleared, tally.created) == (0, 1, [])
    (alert,) = alerts(db)
    assert alert.state is AlertState.CLEARED
    assert work_orders(db) == []


def test_hysteresis_keeps_firing_just_below_threshold_and_resolves_below_lower(db: Db) -> None:
    # 0.9 is below the threshold (1.0) but above the lower one (0.8): still firing.
    run(db, series([1.5, 1.5, 1.5, 0.9, 0.9, 0.9, 0.9]))
    assert alerts(db)[0].state is AlertState.FIRING
    run(db, series([0.5, 0.5, 0.5], start=T0 + timedelta(minutes=7)))
    (alert,) = alerts(db)
    assert alert.state is AlertState.RESOLVED
    assert alert.resolved_at == T0 + timedelta(minutes=9)
    assert "below 0.8" in alert.transitions[-1].cause


def test_cold_start_decisions_are_ignored(db: Db) -> None:
    tally = run(
        db, [decision(at=T0 + timedelta(minutes=i), score=5.0, cold_start=True) for i in range(5)]
    )
    assert (tally.cold_start, tally.transitions) == (5, 0)
    assert alerts(db) == []


def test_flapping_sensor_opens_one_work_order_and_is_held_firing(db: Db) -> None:
    burst = [1.6, 1.6, 1.6, 0.3, 0.3, 0.3]  # fires, then resolves, over and over
    tally = run(db, series(burst * 5, step=timedelta(minutes=2)))
    assert len(tally.created) == 1
    # The third firing is held three times where it would have resolved (after each burst).
    assert tally.flapping_holds == 3
    episodes = alerts(db)
    # Three fire/resolve cycles, then the third firing is held instead of resolving again.
    assert [a.state for a in episodes] == [
        AlertState.RESOLVED,
        AlertState.RESOLVED,
        AlertState.FIRING,
    ]
    assert episodes[-1].flapping
    assert [a.suppressed for a in episodes] == [
        None,
        Suppression.DEDUPLICATED,
        Suppression.FLAPPING,
    ]
    assert {a.work_order_id for a in episodes} == {work_orders(db)[0].id}
    assert any("flapping" in t.cause and "held firing" in t.cause for t in episodes[-1].transitions)
    assert len(work_orders(db)) == 1


def silence(db: Db, asset: str, *, hours: int) -> None:
    with db.factory() as session:
        service.create_silence(
            session=session,
            site="plant-a",
            asset=asset,
            starts_at=T0,
            ends_at=T0 + timedelta(hours=hours),
            reason="bearing replacement",
            created_by="ops@example.com",
            now=T0,
        )
        session.commit()


def test_silenced_asset_opens_nothing_but_records_alerts_as_silenced(db: Db) -> None:
    silence(db, "pump-1", hours=2)
    tally = run(db, series([1.6] * 10))
    assert (tally.fired, tally.silenced, tally.created) == (1, 1, [])
    (alert,) = alerts(db)
    assert alert.suppressed is Suppression.SILENCED
    assert "bearing replacement" in alert.transitions[-1].cause
    assert "ops@example.com" in alert.transitions[-1].cause
    assert work_orders(db) == []
    # Still firing after the maintenance window: now the work order is due.
    tally = run(db, [decision(at=T0 + timedelta(hours=2, minutes=1), score=1.6)])
    assert len(tally.created) == 1


def test_other_assets_are_not_silenced(db: Db) -> None:
    silence(db, "pump-2", hours=1)
    assert len(run(db, series([1.6] * 4)).created) == 1


def test_silence_input_is_validated(db: Db) -> None:
    with db.factory() as session, pytest.raises(InvalidInput, match="end after"):
        service.create_silence(
            session=session, site="s", starts_at=T0, ends_at=T0, reason="r", created_by="me", now=T0
        )


def test_data_quality_alert_is_its_own_kind_with_a_suggestion(db: Db) -> None:
    run(db, series([1.0] * 4, fault_code="dq_stuck_sensor", threshold=0.5))
    (alert,) = alerts(db)
    (wo,) = work_orders(db)
    assert alert.kind is Kind.DATA_QUALITY
    assert (wo.kind, wo.priority, wo.fault_code) == (
        Kind.DATA_QUALITY,
        Priority.SUGGESTION,
        "dq_stuck_sensor",
    )


def test_equipment_score_recovery_resolves_all_equipment_faults_of_the_asset(db: Db) -> None:
    run(db, series([1.6] * 4))
    # The scorer names no fault when the asset is healthy again ("anomaly" code, low score).
    run(db, series([0.1] * 3, start=T0 + timedelta(minutes=4), fault_code="anomaly"))
    assert [a.state for a in alerts(db)] == [AlertState.RESOLVED]


def test_acknowledge(db: Db) -> None:
    run(db, series([1.6] * 4))
    alert_id = alerts(db)[0].id
    with db.factory() as session:
        alert = service.acknowledge(
            session=session, alert_id=alert_id, by="ops", now=T0 + timedelta(minutes=5)
        )
        session.commit()
    assert alert.acknowledged_by == "ops"
    assert alerts(db)[0].transitions[-1].cause == "acknowledged by ops"
    with db.factory() as session:
        assert [a.id for a in service.list_alerts(session=session, live=True)] == [alert_id]


def test_gateway_offline_fires_at_once_and_resolves_when_data_is_back(db: Db) -> None:
    # The scorer says "offline" once (after several silent windows), then "online" once.
    offline = decision(at=T0, fault_code="dq_gateway_offline", score=1.0, threshold=0.5)
    tally = run(db, [offline])
    assert (tally.fired, len(tally.created)) == (1, 1)
    (wo,) = work_orders(db)
    assert (wo.kind, wo.priority) == (Kind.DATA_QUALITY, Priority.SUGGESTION)
    back = decision(
        at=T0 + timedelta(hours=2), fault_code="dq_gateway_offline", score=0.0, threshold=0.5
    )
    run(db, [back, *series([0.3, 0.3], start=T0 + timedelta(hours=2, minutes=1))])
    assert [a.state for a in alerts(db)] == [AlertState.RESOLVED]


def test_good_windows_resolve_a_data_gap_the_scorer_never_clears(db: Db) -> None:
    # dq_gap is reported for each sparse window and never "cleared" explicitly.
    run(db, series([1.0] * 3, fault_code="dq_gap", threshold=0.5))
    assert [a.state for a in alerts(db)] == [AlertState.FIRING]
    run(db, series([0.3] * 3, start=T0 + timedelta(minutes=3)))  # scored windows: data is fine
    assert [a.state for a in alerts(db)] == [AlertState.RESOLVED]


def test_data_quality_decisions_never_resolve_equipment_alerts(db: Db) -> None:
    run(db, series([1.6] * 4))
    run(
        db,
        series(
            [0.0] * 5, start=T0 + timedelta(minutes=4), fault_code="dq_stuck_sensor", threshold=0.5
        ),
    )
    assert [a.state for a in alerts(db)] == [AlertState.FIRING]


def test_an_alert_carries_the_contributions_of_its_latest_anomalous_window(db: Db) -> None:
    first = {"vibration_rms": 0.7, "temperature": 0.3}
    later = {"temperature": 0.6, "vibration_rms": 0.4}
    decisions = series([1.4, 1.5], contributions=first) + series(
        [1.6, 0.5], start=T0 + timedelta(minutes=2), contributions=later
    )
    # The quiet window's contributions (none, it is not anomalous) must not wipe the explanation.
    decisions[-1] = decision(at=decisions[-1].at, score=0.5, contributions={})
    run(db, decisions[:1])
    assert alerts(db)[0].contributions == first
    run(db, decisions[1:])
    (alert,) = alerts(db)
    assert alert.contributions == later
