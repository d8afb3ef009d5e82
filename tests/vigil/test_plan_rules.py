"""`vigil serve` auto-dispatches as each work order's SLA plan says."""

from __future__ import annotations

from datetime import timedelta

from field.scheduled import AutoRule, plan_rules
from tests.workorders.dbkit import T0, Db, db, decision, pg_engine, sqlite_template  # noqa: F401  (fixtures)
from vigil.scheduled import engineer_address
from workorders import from_alerts
from workorders.models import Priority
from workorders.sla import flows, plans
from workorders.sla.models import AutoDispatchRule


def test_rules_come_from_the_plan_with_a_fallback_for_urgent_work(db: Db) -> None:  # noqa: F811
    fallback = AutoRule(within=timedelta(minutes=45))
    rule_for = plan_rules(urgent_fallback=fallback)
    with db.factory() as session:
        wo = from_alerts.open_for_alert(session=session, decision=decision(), now=T0).work_order
        assert wo.priority is Priority.NORMAL
        assert rule_for(session, wo) is None  # the default plan dispatches normal work by hand
        urgent = flows.reclassify(
            session=session,
            work_order_id=wo.id,
            priority=Priority.URGENT,
            actor="t",
            now=T0,
            reason="leak",
        )
        assert rule_for(session, urgent) == AutoRule(within=timedelta(minutes=30))
        data = plans.default_plan_in()
        data.auto_dispatch = {Priority.NORMAL: AutoDispatchRule(confirm_within_min=120)}
        default = plans.default_plan(session=session)
        plans.update_plan(session=session, plan_id=default.id, data=data, actor="t", now=T0)
        assert rule_for(session, urgent) == fallback  # the plan has no urgent rule now
        normal = flows.reclassify(
            session=session,
            work_order_id=wo.id,
            priority=Priority.NORMAL,
            actor="t",
            now=T0,
            reason="no leak",
        )
        assert rule_for(session, normal) == AutoRule(within=timedelta(minutes=120))
        assert plan_rules(urgent_fallback=None)(session, normal) == AutoRule(
            within=timedelta(minutes=120)
        )


def test_the_assignee_is_told_at_the_address_of_their_engineer_record(db: Db) -> None:  # noqa: F811
    from tests.field.builders import make_engineer

    with db.factory() as session:
        make_engineer(session, "j.smith", email="j.smith@acme.test")
        assert engineer_address(session, "j.smith") == "j.smith@acme.test"
        assert engineer_address(session, "nobody") is None
