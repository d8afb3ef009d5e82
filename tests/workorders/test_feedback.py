"""Outcomes flow back: resolution codes become training labels, and the monthly KPIs add up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.labels import LabelSource
from reports.kpis import compute, month_period
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts, service
from workorders.labels import WorkOrderLabels
from workorders.models import ResolutionCode, Status, WorkOrder

H = timedelta(hours=1)


def _work_order(
    db: Db,
    asset: str,
    steps: list[tuple[timedelta, Status | ResolutionCode]],
    csat: int | None = None,
) -> WorkOrder:
    with db.factory() as session:
        wo = from_alerts.open_for_alert(
            session=session,
            decision=decision(asset=asset, predicted_failure_at=T0 + 100 * H),
            now=T0,
        ).work_order
        for after, step in steps:
            if isinstance(step, ResolutionCode):
                wo = service.record_resolution(
                    session=session,
                    work_order_id=wo.id,
                    code=step,
                    no_acceptance_reason="customer not on site (test)",
                    expected_version=None,
                    actor="t",
                    now=T0 + after,
                )
            else:
                wo = service.transition(
                    session=session,
                    work_order_id=wo.id,
                    to=step,
                    expected_version=None,
                    actor="t",
                    now=T0 + after,
                )
        if csat is not None:
            wo = service.record_csat(
                session=session,
                work_order_id=wo.id,
                csat=csat,
                expected_version=None,
                actor="c",
                now=T0 + 60 * H,
            )
        session.commit()
    return wo


@pytest.fixture
def outcomes(db: Db) -> dict[str, WorkOrder]:
    return {
        # One visit, fixed: respond 1 h (SLA 8 h), on site 20 h (SLA 72 h).
        "fixed": _work_order(
            db,
            "p1",
            [
                (H, Status.ACKNOWLEDGED),
                (20 * H, Status.IN_PROGRESS),
                (30 * H, ResolutionCode.CONFIRMED_FAULT),
            ],
            csat=4,
        ),
        # Answered late (10 h > 8 h) and a false alarm.
        "false": _work_order(
            db, "p2", [(10 * H, Status.ACKNOWLEDGED), (12 * H, ResolutionCode.FALSE_ALARM)], csat=2
        ),
        # Two visits before the fix: not a first-time fix.
        "twice": _work_order(
            db,
            "p3",
            [
                (2 * H, Status.IN_PROGRESS),
                (5 * H, Status.DISPATCHED),
                (40 * H, Status.IN_PROGRESS),
                (50 * H, ResolutionCode.CONFIRMED_FAULT),
            ],
        ),
        "nff": _work_order(db, "p4", [(3 * H, ResolutionCode.NO_FAULT_FOUND)]),
        "open": _work_order(db, "p5", []),
    }


def test_confirmed_faults_and_false_alarms_become_label_windows(
    db: Db, outcomes: dict[str, WorkOrder]
) -> None:
    source: LabelSource = WorkOrderLabels(db.factory)
    windows = source.windows(asset_type="pump", start=T0 - 48 * H, end=T0 + 72 * H)
    assert sorted((w.asset, w.kind) for w in windows) == [
        ("p1", "confirmed_fault"),
        ("p2", "false_alarm"),
        ("p3", "confirmed_fault"),
    ]
    fixed = next(w for w in windows if w.asset == "p1")
    assert (fixed.start, fixed.end, fixed.mode) == (T0 - 24 * H, T0 + 30 * H, "mechanical")
    assert source.windows(asset_type="chiller", start=T0 - 48 * H, end=T0 + 72 * H) == []
    assert source.windows(asset_type=None, start=T0 + 200 * H, end=T0 + 300 * H) == []


def test_monthly_kpis(db: Db, outcomes: dict[str, WorkOrder]) -> None:
    """Alert-made work flows into the KPIs (reports.kpis; the full checks are in tests/reports)."""
    with db.factory() as session:
        figures = compute(session=session, period=month_period(T0.year, T0.month)).total
        empty = compute(session=session, period=month_period(2025, 12)).total
    assert (figures["created"].value, figures["resolved"].value) == (5, 4)
    assert figures["response_median_h"].value == 2.0  # 1 h, 10 h, 2 h
    # Due T0 + 8 h: p1, p3 answered in time, p4 resolved in time; p2 late, p5 never.
    assert (figures["sla_respond"].numerator, figures["sla_respond"].denominator) == (3, 5)
    assert figures["first_time_fix"].value == 0.5
    assert figures["repeat_repair"].value == 0.0
    assert figures["false_alarm"].value == 0.25
    # Measured from detection to the engineer on site: 20 h and 2 h (not the predicted 100 h).
    assert figures["warning_time_median_h"].value == 11.0
    assert empty["created"].value == 0
    assert empty["first_time_fix"].value is None
