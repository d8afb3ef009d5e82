"""Requests from every channel on SQLite and PostgreSQL: classification with reasons, one work
order per asset and problem whatever the channel, billable work, customer scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from customers.errors import NotFound
from tests.customers.builders import ACTOR, build_org
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts, service
from workorders.models import Kind, Priority, ResolutionCode, Status, document
from workorders.requests import rulebook
from workorders.requests.models import (
    Category,
    Channel,
    ClassificationRule,
    Outcome,
    ServiceRequest,
)
from workorders.requests.rules import DEFAULT_RULES
from workorders.requests.service import RequestData, list_requests, raise_request


def test_migration_seeds_the_default_rules(db: Db) -> None:
    with db.factory() as session:
        rows = rulebook.list_rules(session=session)
        stored = [
            (r.name, r.priority, r.category, tuple(r.words), r.criticality, r.coverage, r.channel)
            for r in rows
        ]
    assert stored == [
        (r.name, r.priority, r.category, r.words, r.criticality, r.coverage, r.channel)
        for r in DEFAULT_RULES
    ]


def test_hotline_portal_and_alert_on_one_problem_make_one_work_order(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        hotline = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.TROUBLESHOOTING,
                description="Pump 1 is loud and vibrates",
                asset_id=org.pump_1,
                fault_code="mechanical",
                contact_name="night guard",
                contact_phone="+41 1",
            ),
            actor=ACTOR,
            now=T0,
        )
        portal = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.PORTAL,
                category=Category.TROUBLESHOOTING,
                description="Strong vibration on pump 1",
                asset_id=org.pump_1,
                fault_code="mechanical",
                contact_id=org.contact,
            ),
            actor="ACME portal",
            now=T0 + timedelta(minutes=5),
            customer_id=org.acme,
        )
        alert = from_alerts.open_for_alert(
            session=session,
            decision=decision(asset="pump-1", site="plant-a"),
            now=T0 + timedelta(minutes=9),
        )
        wo = hotline.work_order
        assert portal.work_order.id == wo.id == alert.work_order.id
        assert [hotline.request.outcome, portal.request.outcome] == [
            Outcome.CREATED,
            Outcome.ATTACHED,
        ]
        assert wo.channels == ["hotline", "portal", "alert"]
        assert wo.channel == "hotline"
        assert wo.category == "troubleshooting"
        rows = list_requests(session=session, work_order_id=wo.id)
        assert sorted(r.channel.value for r in rows) == ["alert", "hotline", "portal"]
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == 3
        origin = document(wo).origin
        assert origin.channels == ["hotline", "portal", "alert"]
        assert wo.detector == "isolation_forest"  # the alert's detection is kept on it


@pytest.mark.parametrize(
    ("category", "text", "asset", "priority", "reason"),
    [
        (
            Category.CONSULTATION,
            "Smoke coming out of the motor",
            "pump_1",
            Priority.URGENT,
            "words: smoke",
        ),
        (
            Category.CONSULTATION,
            "Question about the energy report",
            "fan_9",
            Priority.SUGGESTION,
            "consultation",
        ),
        (Category.EMERGENCY_REPAIR, "Pump stopped", "fan_9", Priority.URGENT, "emergency repair"),
        (Category.TROUBLESHOOTING, "Odd noise", "pump_2", Priority.URGENT, "criticality high"),
        (
            Category.PREVENTIVE_MAINTENANCE,
            "Yearly check",
            "pump_1",
            Priority.NORMAL,
            "coverage warranty",
        ),
        (
            Category.PREVENTIVE_MAINTENANCE,
            "Yearly check",
            "fan_9",
            Priority.SUGGESTION,
            "preventive",
        ),
    ],
)
def test_classification_follows_the_rules_and_states_its_reasons(
    db: Db, category: Category, text: str, asset: str, priority: Priority, reason: str
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        raised = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.EMAIL,
                category=category,
                description=text,
                asset_id=getattr(org, asset),
            ),
            actor=ACTOR,
            now=T0,
        )
        assert raised.work_order.priority is priority
        assert any(reason in line for line in raised.work_order.classification)
        assert raised.request.reasons == raised.work_order.classification


def test_a_changed_rule_changes_the_next_classification(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        rule = next(r for r in rulebook.list_rules(session=session) if r.name == "consultation")
        rulebook.update_rule(
            session=session,
            rule_id=rule.id,
            data=rulebook.RuleData(
                name="consultation", priority=Priority.NORMAL, category=Category.CONSULTATION
            ),
            actor=ACTOR,
            now=T0,
        )
        raised = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.CONSULTATION,
                description="Advice",
                asset_id=org.fan_9,
            ),
            actor=ACTOR,
            now=T0,
        )
        assert raised.work_order.priority is Priority.NORMAL
        assert raised.work_order.kind is Kind.SERVICE
        with pytest.raises(Exception, match="no condition"):
            rulebook.create_rule(
                session=session,
                data=rulebook.RuleData(name="all", priority=Priority.URGENT),
                actor=ACTOR,
                now=T0,
            )


def test_a_worse_report_raises_the_priority_never_lowers_it(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        first = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.INSPECTION,
                category=Category.PREVENTIVE_MAINTENANCE,
                description="Seal worn",
                asset_id=org.fan_9,
                fault_code="process",
            ),
            actor=ACTOR,
            now=T0,
        )
        assert first.work_order.priority is Priority.SUGGESTION
        worse = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.TROUBLESHOOTING,
                description="Water leak under the pump",
                asset_id=org.fan_9,
                fault_code="process",
            ),
            actor=ACTOR,
            now=T0 + timedelta(hours=1),
        )
        assert worse.work_order.id == first.work_order.id
        assert worse.work_order.priority is Priority.URGENT
        assert worse.work_order.respond_by <= T0 + timedelta(hours=3)
        calmer = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.EMAIL,
                category=Category.CONSULTATION,
                description="Any news?",
                asset_id=org.fan_9,
                fault_code="process",
            ),
            actor=ACTOR,
            now=T0 + timedelta(hours=2),
        )
        assert calmer.work_order.priority is Priority.URGENT
        assert calmer.work_order.channels == ["inspection", "hotline", "email"]


def test_billable_site_requests_and_closed_work(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        site_only = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.CONSULTATION,
                description="New pump room layout",
                site_id=org.plant_b,
            ),
            actor=ACTOR,
            now=T0,
        )
        assert site_only.work_order.asset.asset == "_site"
        assert site_only.work_order.billable
        assert site_only.request.billable
        # closed long ago: a new report opens a new work order
        wo = site_only.work_order
        service.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            expected_version=None,
            actor=ACTOR,
            now=T0,
        )
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.CLOSED,
            expected_version=None,
            actor=ACTOR,
            now=T0,
        )
        again = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.CONSULTATION,
                description="Layout again",
                site_id=org.plant_b,
            ),
            actor=ACTOR,
            now=T0 + timedelta(days=40),
        )
        assert again.work_order.id != wo.id
        assert again.request.outcome is Outcome.CREATED


def test_a_customer_cannot_raise_requests_on_others_assets(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        for data in (
            RequestData(
                channel=Channel.PORTAL,
                category=Category.TROUBLESHOOTING,
                description="x",
                asset_id=org.fan_9,
            ),
            RequestData(
                channel=Channel.PORTAL,
                category=Category.TROUBLESHOOTING,
                description="x",
                site_id=org.plant_b,
            ),
        ):
            with pytest.raises(NotFound):
                raise_request(
                    session=session, data=data, actor="acme", now=T0, customer_id=org.acme
                )
        assert session.scalar(sa.select(sa.func.count()).select_from(ClassificationRule)) == len(
            DEFAULT_RULES
        )
