"""Pausing, resuming and reclassifying work orders in the database: the log, the recomputed
deadlines, the clock version and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.workorders.dbkit import T0, Db, decision
from workorders import browse, from_alerts, service
from workorders.errors import InvalidInput
from workorders.models import Priority, Status, WorkOrder
from workorders.sla import flows
from workorders.sla import service as sla
from workorders.sla.models import ClockEventKind, ClockKind, PauseReason


def _open(db: Db, **kwargs: object) -> WorkOrder:
    with db.factory() as session:
        made = decision(**kwargs)  # type: ignore[arg-type]
        wo = from_alerts.open_for_alert(session=session, decision=made, now=T0).work_order
        session.commit()
    return wo


def test_a_new_work_order_has_three_deadlines_and_nine_milestones(db: Db) -> None:
    wo = _open(db)
    # Normal, standard tier, no site yet (UTC around the clock): 8 h, 72 h, 120 h.
    assert wo.priority is Priority.NORMAL
    assert (wo.respond_by, wo.on_site_by, wo.resolve_by) == (
        T0 + timedelta(hours=8),
        T0 + timedelta(hours=72),
        T0 + timedelta(hours=120),
    )
    with db.factory() as session:
        rows = sla.milestones(session=session, wo=wo)
        assert [(m.clock, m.level, m.due_at - T0) for m in rows][:3] == [
            (ClockKind.RESPOND, 50, timedelta(hours=4)),
            (ClockKind.RESPOND, 75, timedelta(hours=6)),
            (ClockKind.RESPOND, 100, timedelta(hours=8)),
        ]
        assert len(rows) == 9
        assert [e.kind for e in sla.log(session=session, wo_id=wo.id)] == [ClockEventKind.START]


def test_pause_and_resume_move_the_deadlines_by_the_paused_time(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        paused = flows.pause(
            session=session,
            work_order_id=wo.id,
            reason=PauseReason.WAITING_FOR_PARTS,
            actor="dispatcher",
            now=T0 + timedelta(hours=1),
        )
        session.commit()
    assert paused.sla_paused_since == T0 + timedelta(hours=1)
    assert paused.sla_pause_reason == "waiting_for_parts"
    with db.factory() as session, pytest.raises(InvalidInput, match="already paused"):
        flows.pause(
            session=session,
            work_order_id=wo.id,
            reason=PauseReason.WAITING_FOR_CUSTOMER,
            actor="d",
            now=T0 + timedelta(hours=2),
        )
    with db.factory() as session:
        resumed = flows.resume(
            session=session, work_order_id=wo.id, actor="dispatcher", now=T0 + timedelta(hours=4)
        )
        session.commit()
    assert resumed.sla_paused_since is None
    assert resumed.respond_by == wo.respond_by + timedelta(hours=3)
    assert resumed.resolve_by == wo.resolve_by + timedelta(hours=3)  # type: ignore[operator]
    assert resumed.sla_clock_version > wo.sla_clock_version
    with db.factory() as session:
        kinds = [e.kind for e in sla.log(session=session, wo_id=wo.id)]
        assert kinds == [ClockEventKind.START, ClockEventKind.PAUSE, ClockEventKind.RESUME]
        actions = [a.action for a in browse.audit_log(session=session, work_order_id=wo.id)]
        assert actions[-2:] == ["sla paused: waiting_for_parts", "sla resumed"]
        with pytest.raises(InvalidInput, match="not paused"):
            flows.resume(
                session=session, work_order_id=wo.id, actor="d", now=T0 + timedelta(hours=5)
            )


def test_a_pause_resumes_by_itself_at_its_time(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        flows.pause(
            session=session,
            work_order_id=wo.id,
            reason=PauseReason.WAITING_FOR_CUSTOMER,
            actor="dispatcher",
            now=T0 + timedelta(hours=1),
            resume_at=T0 + timedelta(hours=3),
        )
        session.commit()
    assert flows.resume_due(session_factory=db.factory, now=T0 + timedelta(hours=2)) == []
    assert flows.resume_due(session_factory=db.factory, now=T0 + timedelta(hours=5)) == [wo.number]
    with db.factory() as session:
        again = service.get_work_order(session=session, ref=wo.id)
        assert again.sla_paused_since is None
        # Resumed at its scheduled time, not when the job ran: 2 h paused.
        assert again.respond_by == wo.respond_by + timedelta(hours=2)


def test_reclassification_recomputes_the_deadlines(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        urgent = flows.reclassify(
            session=session,
            work_order_id=wo.id,
            priority=Priority.URGENT,
            actor="dispatcher",
            now=T0 + timedelta(hours=1),
            reason="customer reports a leak",
        )
        session.commit()
    # Urgent standard: 2 h to respond, counted from the change (3 h from the start).
    assert urgent.priority is Priority.URGENT
    assert urgent.respond_by == T0 + timedelta(hours=3)
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="why"):
            flows.reclassify(
                session=session,
                work_order_id=wo.id,
                priority=Priority.NORMAL,
                actor="d",
                now=T0 + timedelta(hours=2),
                reason=" ",
            )
        normal = flows.reclassify(
            session=session,
            work_order_id=wo.id,
            priority=Priority.NORMAL,
            actor="dispatcher",
            now=T0 + timedelta(hours=2),
            reason="no leak after all",
        )
        session.commit()
    assert normal.respond_by == T0 + timedelta(hours=8)


def test_reopening_starts_a_new_clock(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        wo = service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.RESOLVED,
            expected_version=None,
            actor="t",
            now=T0 + timedelta(hours=1),
        )
        wo = service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.REOPENED,
            expected_version=None,
            actor="t",
            now=T0 + timedelta(days=2),
        )
        session.commit()
    assert wo.respond_by == T0 + timedelta(days=2, hours=8)
    with db.factory() as session:
        kinds = [e.kind for e in sla.log(session=session, wo_id=wo.id)]
        assert kinds == [ClockEventKind.START, ClockEventKind.START]


def test_a_finished_clock_cannot_be_paused(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.RESOLVED,
            expected_version=None,
            actor="t",
            now=T0 + timedelta(hours=1),
        )
        with pytest.raises(InvalidInput, match="stopped"):
            flows.pause(
                session=session,
                work_order_id=wo.id,
                reason=PauseReason.WAITING_FOR_PARTS,
                actor="d",
                now=T0 + timedelta(hours=2),
            )
