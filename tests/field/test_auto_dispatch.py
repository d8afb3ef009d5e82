"""Automatic dispatch of urgent work: the job function on both databases, and inside a running
``vigil serve`` (its scheduler), within the plan's time."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from field import flows
from field.models import Dispatch, DispatchMode
from field.scheduled import ACTOR, AutoRule, auto_dispatch, for_priorities
from tests.field.builders import SCORING, make_engineer
from tests.field.fixtures import NOW
from tests.workorders.dbkit import Db, decision
from vigil.service import Service
from vigil.settings import load_settings
from workorders import from_alerts
from workorders import service as workorders
from workorders.models import Priority, Status, WorkOrder

URGENT_30 = for_priorities({Priority.URGENT: AutoRule(within=timedelta(minutes=30))})


def urgent(
    session: Session, asset: str, *, at: datetime = NOW, site: str = "lyon-plant"
) -> WorkOrder:
    # A failure predicted within 72 hours makes it urgent.
    made = decision(site=site, asset=asset, at=at, predicted_failure_at=at + timedelta(hours=10))
    wo = from_alerts.open_for_alert(session=session, decision=made, now=at).work_order
    assert wo.priority is Priority.URGENT
    return wo


def test_urgent_work_goes_to_the_nearest_qualified_within_the_plan_time(db: Db) -> None:
    with db.factory() as session:
        make_engineer(session, "far", base="grenoble")
        near = make_engineer(session, "near", base="villeurbanne", max_open_jobs=1)
        make_engineer(session, "chiller", base="lyon", skills=[("chiller", "*", 3)])
        wo = urgent(session, "pump-u1")
        normal = from_alerts.open_for_alert(
            session=session, decision=decision(site="lyon-plant", asset="pump-n1"), now=NOW
        ).work_order
        assert normal.priority is Priority.NORMAL
        session.commit()
    outcomes = auto_dispatch(
        session_factory=db.factory,
        now=NOW + timedelta(minutes=1),
        rule_for=URGENT_30,
        scoring=SCORING,
    )
    assert [(o.number, o.action, o.engineer_id, o.late_by) for o in outcomes] == [
        (wo.number, "dispatched", near.id, None)
    ]
    with db.factory() as session:
        sent = flows.dispatches(session=session, work_order_id=wo.id)
        assert [(d.engineer_id, d.mode, d.actor) for d in sent] == [
            (near.id, DispatchMode.AUTO, ACTOR)
        ]
        assert sent[0].at - wo.created_at <= timedelta(minutes=30)
        assert sent[0].reason.startswith(
            "plan rule: urgent work sent to the nearest qualified engineer within 30 min; Near: "
        )
        current = workorders.get_work_order(session=session, ref=wo.id)
        assert (current.status, current.assignee) == (Status.DISPATCHED, "near")
        assert current.responded_at == NOW + timedelta(minutes=1)  # confirmed by the dispatch
        untouched = workorders.get_work_order(session=session, ref=normal.id)
        assert (untouched.status, untouched.assignee) == (Status.OPEN, None)
    # Run again: nothing left to do; the nearest is now full, so the next urgent job goes further.
    assert (
        auto_dispatch(
            session_factory=db.factory,
            now=NOW + timedelta(minutes=2),
            rule_for=URGENT_30,
            scoring=SCORING,
        )
        == []
    )
    with db.factory() as session:
        late = urgent(session, "pump-u2")
        session.commit()
    outcomes = auto_dispatch(
        session_factory=db.factory,
        now=NOW + timedelta(minutes=45),
        rule_for=URGENT_30,
        scoring=SCORING,
    )
    assert [(o.action, o.late_by) for o in outcomes] == [("dispatched", timedelta(minutes=15))]
    with db.factory() as session:
        (record,) = flows.dispatches(session=session, work_order_id=late.id)
        assert "within 30 min (late by 15 min); Far: " in record.reason


def test_no_candidate_leaves_the_work_waiting_and_says_so(db: Db) -> None:
    with db.factory() as session:
        make_engineer(session, "chiller", skills=[("chiller", "*", 3)])
        wo = urgent(session, "pump-u3")
        session.commit()
    outcomes = auto_dispatch(
        session_factory=db.factory,
        now=NOW + timedelta(minutes=1),
        rule_for=URGENT_30,
        scoring=SCORING,
    )
    assert [(o.number, o.action, o.detail) for o in outcomes] == [
        (wo.number, "no_candidate", "no candidate: none of the 1 engineers qualifies")
    ]
    with db.factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Dispatch)) == 0
        assert workorders.get_work_order(session=session, ref=wo.id).status is Status.OPEN


@pytest.mark.slow
def test_vigil_serve_dispatches_urgent_work_by_itself(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        store="sqlite",
        session_secret="s" * 40,
        api_port=0,
        auto_dispatch_poll_s=0.5,
        auto_dispatch_urgent_min=30,
    )
    with Service(settings, with_collector=False) as running:
        now = datetime.now(UTC)
        with running.sessions() as session:
            engineer = make_engineer(
                session,
                "always",
                working_hours={
                    d: [["00:00", "24:00"]]
                    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                },
            )
            wo = urgent(session, "pump-live", at=now)
            session.commit()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with running.sessions() as session:
                sent = flows.dispatches(session=session, work_order_id=wo.id)
            if sent:
                break
            time.sleep(0.2)
    assert [(d.engineer_id, d.mode) for d in sent] == [(engineer.id, DispatchMode.AUTO)]
    took = sent[0].at - wo.created_at
    # Within the plan's 30 minutes: in fact within a poll or two of the job (0.5 s).
    assert took < timedelta(seconds=5), took


def test_a_reopened_repeat_repair_is_dispatched_afresh(db: Db) -> None:
    with db.factory() as session:
        near = make_engineer(session, "near", base="villeurbanne", max_open_jobs=1)
        wo = urgent(session, "pump-r1")
        session.commit()
    first = auto_dispatch(
        session_factory=db.factory,
        now=NOW + timedelta(minutes=1),
        rule_for=URGENT_30,
        scoring=SCORING,
    )
    assert [o.engineer_id for o in first] == [near.id]
    with db.factory() as session:
        for to, minutes in ((Status.RESOLVED, 60), (Status.REOPENED, 120)):
            workorders.transition(
                session=session,
                work_order_id=wo.id,
                to=to,
                expected_version=None,
                actor="t",
                now=NOW + timedelta(minutes=minutes),
            )
        session.commit()
    # The old dispatch no longer holds it: her slot is free and the work waits for a new one.
    again = auto_dispatch(
        session_factory=db.factory,
        now=NOW + timedelta(minutes=121),
        rule_for=URGENT_30,
        scoring=SCORING,
    )
    assert [(o.action, o.engineer_id) for o in again] == [("dispatched", near.id)]
    with db.factory() as session:
        sent = flows.dispatches(session=session, work_order_id=wo.id)
        assert [(d.active, d.at) for d in sent] == [
            (False, NOW + timedelta(minutes=1)),
            (True, NOW + timedelta(minutes=121)),
        ]
        assert workorders.get_work_order(session=session, ref=wo.id).status is Status.DISPATCHED
