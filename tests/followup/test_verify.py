"""The verification job's rules on the work-order database, with the asset's health given."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from followup.health import Health, HealthReader
from followup.models import Outcome
from followup.scheduled import verify_repairs
from followup.service import VerificationPolicy, verifications
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts, service
from workorders.models import ResolutionCode, Status, WorkOrder

POLICY = VerificationPolicy(period=timedelta(days=7), settle=timedelta(days=1))


def _resolved(db: Db, asset: str, *, code: bool = True) -> WorkOrder:
    with db.factory() as session:
        wo = from_alerts.open_for_alert(session=session, decision=decision(asset=asset), now=T0)
        if code:
            service.record_resolution(
                session=session,
                work_order_id=wo.work_order.id,
                code=ResolutionCode.CONFIRMED_FAULT,
                no_acceptance_reason="customer not on site (test)",
                expected_version=None,
                actor="e",
                now=T0,
            )
        else:
            service.transition(
                session=session,
                work_order_id=wo.work_order.id,
                to=Status.RESOLVED,
                expected_version=None,
                actor="e",
                now=T0,
            )
        session.commit()
        return wo.work_order


def _health(windows: dict[str, tuple[int, int]]) -> HealthReader:
    def read(site: str, asset: str, start: datetime, end: datetime) -> Health:
        count, abnormal = windows.get(asset, (0, 0))
        return Health(start, end, count, abnormal)

    return read


def test_only_due_repairs_are_judged_and_each_resolution_once(db: Db) -> None:
    quiet, sick, silent = (_resolved(db, name) for name in ("quiet", "sick", "silent"))
    uncoded = _resolved(db, "uncoded", code=False)
    health = _health({"quiet": (144, 0), "sick": (144, 9), "uncoded": (144, 0)})
    early = verify_repairs(
        session_factory=db.factory,
        health=health,
        now=T0 + timedelta(days=6),
        policy=POLICY,
    )
    assert early.verified == early.repeat_repair == early.no_telemetry == []
    for _ in range(2):  # a second run changes nothing
        verdicts = verify_repairs(
            session_factory=db.factory,
            health=health,
            now=T0 + timedelta(days=7),
            policy=POLICY,
        )
    with db.factory() as session:
        status = {
            wo.number: service.get_work_order(session=session, ref=wo.id).status
            for wo in (quiet, sick, silent, uncoded)
        }
        (no_data,) = verifications(session=session, work_order_id=silent.id)
        (repeat,) = verifications(session=session, work_order_id=sick.id)
    assert status == {
        quiet.number: Status.CLOSED,
        sick.number: Status.REOPENED,  # 9 of 144 windows over threshold after settling
        silent.number: Status.RESOLVED,  # no telemetry, no judge: a person decides
        uncoded.number: Status.RESOLVED,  # held, but closing needs a resolution code
    }
    assert verdicts.verified == verdicts.repeat_repair == verdicts.no_telemetry == []
    assert no_data.outcome is Outcome.NO_TELEMETRY
    assert repeat.outcome is Outcome.REPEAT_REPAIR
    assert repeat.evidence["health"]["abnormal_windows"] == 9


def test_policy_refuses_a_settle_as_long_as_the_period() -> None:
    with pytest.raises(ValueError, match="settle"):
        VerificationPolicy(period=timedelta(days=1), settle=timedelta(days=1))
