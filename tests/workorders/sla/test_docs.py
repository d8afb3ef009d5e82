"""The SLA and escalation examples of docs/service-desk.md are what the code does."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts, service
from workorders.models import Priority, Tier
from workorders.sla import escalation, plans
from workorders.sla.models import EscalationMail, PlanIn
from workorders.webhooks.models import OutboxEvent

TEXT = (Path(__file__).resolve().parents[3] / "docs" / "service-desk.md").read_text()


def _block(name: str) -> str:
    found = re.search(rf"```\w+ {name}\n(.*?)\n```", TEXT, re.S)
    assert found, f"docs/service-desk.md has no {name} block"
    return found[1]


def test_documented_plan_is_accepted(db: Db) -> None:
    data = PlanIn.model_validate(json.loads(_block("sla-plan")))
    with db.factory() as session:
        plan = plans.create_plan(session=session, data=data, actor="docs", now=T0)
        gold = plans.targets(plan=plan, priority=Priority.NORMAL, tier=Tier.VIP)
        assert gold.around_the_clock
        assert gold.respond_s == 120 * 60
        rule = plans.auto_dispatch_rule(plan=plan, priority=Priority.URGENT)
        assert rule is not None
        assert rule.confirm_within_min == 30


def test_documented_mail_and_event_are_what_escalation_sends(db: Db) -> None:
    with db.factory() as session:
        wo = from_alerts.open_for_alert(session=session, decision=decision(), now=T0).work_order
        service.assign(
            session=session,
            work_order_id=wo.id,
            assignee="ana",
            expected_version=None,
            actor="t",
            now=T0,
        )
        session.commit()
    directory = escalation.Directory(dispatchers=("d@acme.test",), staff={"ana": "ana@acme.test"})
    escalation.tick(
        session_factory=db.factory,
        now=T0 + timedelta(hours=4),
        directory=directory,
        sender="v@acme.test",
    )
    escalation.tick(
        session_factory=db.factory,
        now=T0 + timedelta(hours=6),
        directory=directory,
        sender="v@acme.test",
    )
    with db.factory() as session:
        mail = session.scalars(sa.select(EscalationMail).order_by(EscalationMail.id.desc())).first()
        event = session.scalars(
            sa.select(OutboxEvent)
            .where(OutboxEvent.event_type == "work_order.escalated")
            .order_by(OutboxEvent.created_at.desc())
        ).first()
    assert mail is not None
    assert event is not None
    documented = _block("escalation-mail")
    # The number depends on the work orders made before on the same database.
    sent = f"Subject: {mail.subject}\n\n{mail.body}".replace(wo.number, "WO-2026-000001")
    assert sent.rstrip("\n") == documented
    assert json.loads(event.body)["escalation"] == json.loads(_block("escalation-event"))
