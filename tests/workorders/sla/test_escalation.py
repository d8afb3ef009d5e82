"""Escalation at 50, 75 and 100 %: once per level, to the plan's roles, as a webhook event and
as mail through a real SMTP server; never again after a restart; once under concurrent ticks."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from notify.mail import SmtpMailer
from tests.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts, service
from workorders.models import Status, WorkOrder
from workorders.sla import escalation, flows
from workorders.sla.escalation import Directory
from workorders.sla.models import ClockKind, EscalationMail, Milestone, PauseReason
from workorders.sla.risk import at_risk
from workorders.webhooks.models import OutboxEvent

DIRECTORY = Directory(
    dispatchers=("dispatch@acme.test",),
    service_managers=("manager@acme.test",),
    staff={"ana": "ana@acme.test"},
)
SENDER = "vigil@acme.test"


def _open(
    db: Db, assignee: str | None = "ana", now: datetime = T0, asset: str = "pump-1"
) -> WorkOrder:
    with db.factory() as session:
        opened = from_alerts.open_for_alert(
            session=session, decision=decision(at=now, asset=asset), now=now
        )
        wo = opened.work_order
        if assignee:
            wo = service.assign(
                session=session,
                work_order_id=wo.id,
                assignee=assignee,
                expected_version=None,
                actor="t",
                now=now,
            )
        session.commit()
    return wo


def _tick(db: Db, hours: float) -> list[escalation.Fired]:
    return escalation.tick(
        session_factory=db.factory,
        now=T0 + timedelta(hours=hours),
        directory=DIRECTORY,
        sender=SENDER,
    )


def _mails(db: Db) -> list[tuple[str, str, str]]:
    with db.factory() as session:
        rows = session.execute(
            sa.select(Milestone.clock, Milestone.level, EscalationMail.address)
            .join(Milestone, Milestone.id == EscalationMail.milestone_id)
            .order_by(EscalationMail.id)
        ).all()
    return [(c.value, str(level), a) for c, level, a in rows]


def test_each_level_fires_once_to_the_roles_of_the_plan(db: Db) -> None:
    _open(db)  # normal, standard: respond within 8 h (UTC around the clock, no site yet)
    assert _tick(db, 3.9) == []
    fired = _tick(db, 4)
    assert [(f.clock, f.level) for f in fired] == [(ClockKind.RESPOND, 50)]
    assert fired[0].told == ["assignee: ana@acme.test"]
    assert _tick(db, 5) == []  # a second run (or a restarted service) sends nothing again
    assert [(f.clock, f.level) for f in _tick(db, 8)] == [
        (ClockKind.RESPOND, 75),
        (ClockKind.RESPOND, 100),
    ]
    assert _tick(db, 8) == []
    assert _mails(db) == [
        ("respond", "50", "ana@acme.test"),
        ("respond", "75", "ana@acme.test"),
        ("respond", "75", "dispatch@acme.test"),
        ("respond", "100", "ana@acme.test"),
        ("respond", "100", "dispatch@acme.test"),
        ("respond", "100", "manager@acme.test"),
    ]
    with db.factory() as session:
        events = session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.event_type == "work_order.escalated")
            .order_by(OutboxEvent.created_at)
        ).all()
        bodies = [json.loads(e.body) for e in events]
    assert [b["escalation"]["level"] for b in bodies] == [50, 75, 100]
    assert bodies[0]["escalation"]["clock"] == "respond"
    assert bodies[0]["number"].startswith("WO-")


def test_a_met_deadline_does_not_escalate(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.ACKNOWLEDGED,
            expected_version=None,
            actor="t",
            now=T0 + timedelta(hours=1),
        )
        session.commit()
    assert _tick(db, 9) == []  # responded: the respond clock is met; on-site not due yet


def test_a_paused_clock_does_not_escalate_and_resuming_moves_its_milestones(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        flows.pause(
            session=session,
            work_order_id=wo.id,
            reason=PauseReason.WAITING_FOR_CUSTOMER,
            actor="t",
            now=T0 + timedelta(hours=1),
        )
        session.commit()
    assert _tick(db, 10) == []
    with db.factory() as session:
        flows.resume(session=session, work_order_id=wo.id, actor="t", now=T0 + timedelta(hours=10))
        session.commit()
    # 1 h ran before the pause: 50 % (4 h) comes 3 h after the resume.
    assert _tick(db, 12.9) == []
    assert [f.level for f in _tick(db, 13)] == [50]


def test_nobody_to_tell_falls_back_to_managers_and_is_recorded(db: Db) -> None:
    _open(db, assignee=None)
    [fired] = _tick(db, 4)
    assert fired.told == [
        "assignee: no address known",
        "fallback: manager@acme.test, dispatch@acme.test",
    ]
    assert {a for *_, a in _mails(db)} == {"manager@acme.test", "dispatch@acme.test"}


def test_at_risk_lists_overdue_work_first(db: Db) -> None:
    _open(db, asset="late", now=T0 - timedelta(hours=4))
    _open(db, asset="half")
    with db.factory() as session:
        risk = at_risk(session=session, now=T0 + timedelta(hours=5))
    assert [(r.asset, r.clock, r.level, r.overdue) for r in risk] == [
        ("late", ClockKind.RESPOND, 100, True),
        ("half", ClockKind.RESPOND, 50, False),
    ]
    assert risk[0].business_seconds_left == -3600
    assert risk[1].business_seconds_left == 3 * 3600


def test_mails_reach_a_real_smtp_server_once(db: Db, smtp_server: SmtpServer) -> None:  # noqa: F811
    _open(db)
    _tick(db, 8)
    mailer = SmtpMailer(smtp_server.url)
    now = T0 + timedelta(hours=8)
    assert (
        escalation.send_mails(session_factory=db.factory, mailer=mailer, sender=SENDER, now=now)
        == 6
    )
    assert (
        escalation.send_mails(session_factory=db.factory, mailer=mailer, sender=SENDER, now=now)
        == 0
    )
    received = smtp_server.inbox.wait_for(6)
    assert len(received) == 6
    subjects = sorted({m["Subject"] for m in received})
    assert len(subjects) == 3
    assert any("OVERDUE" in s for s in subjects)
    assert all(m["From"] == SENDER for m in received)


def test_a_relay_that_is_down_keeps_the_mail_for_later(db: Db, smtp_server: SmtpServer) -> None:  # noqa: F811
    _open(db)
    _tick(db, 4)
    down = SmtpMailer("smtp://127.0.0.1:1", timeout_s=1)
    now = T0 + timedelta(hours=4)
    assert (
        escalation.send_mails(session_factory=db.factory, mailer=down, sender=SENDER, now=now) == 0
    )
    with db.factory() as session:
        [row] = session.scalars(sa.select(EscalationMail)).all()
        assert row.sent_at is None
        assert row.last_error
        retry_at = row.next_attempt_at
    up = SmtpMailer(smtp_server.url)
    assert escalation.send_mails(session_factory=db.factory, mailer=up, sender=SENDER, now=now) == 0
    assert (
        escalation.send_mails(session_factory=db.factory, mailer=up, sender=SENDER, now=retry_at)
        == 1
    )
    assert len(smtp_server.inbox.wait_for(1)) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # two concurrent transactions
def test_two_concurrent_ticks_fire_each_level_once(db: Db) -> None:
    # Real commits: each tick is a transaction of its own, on its own connection.
    with db.committed() as session:
        wos = [
            from_alerts.open_for_alert(
                session=session, decision=decision(asset=f"race-{i}"), now=T0
            ).work_order
            for i in range(5)
        ]
        session.commit()
    barrier = threading.Barrier(2)
    results: list[list[escalation.Fired]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(
                escalation.tick(
                    session_factory=db.committed,
                    now=T0 + timedelta(hours=8),
                    directory=DIRECTORY,
                    sender=SENDER,
                )
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert errors == []
        fired = [(f.number, f.level) for r in results for f in r]
        assert len(fired) == len(set(fired)) == 5 * 3
        with db.committed() as session:
            ids = [wo.id for wo in wos]
            count = session.scalar(
                sa.select(sa.func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.event_type == "work_order.escalated",
                    OutboxEvent.work_order_id.in_(ids),
                )
            )
            assert count == 15
    finally:
        with db.committed() as session:
            session.execute(sa.delete(WorkOrder).where(WorkOrder.id.in_([wo.id for wo in wos])))
            session.commit()
