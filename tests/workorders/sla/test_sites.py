"""The SLA clock in a site's calendar (zone, hours, holidays) and under a contract's plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from customers import sites
from tests.customers.builders import build_org
from tests.workorders.dbkit import T0, Db, decision
from workorders import browse, from_alerts
from workorders.models import Priority, Tier, WorkOrder
from workorders.sla import flows, plans
from workorders.sla import service as sla
from workorders.sla.models import ClockKind, PlanIn

ZURICH = ZoneInfo("Europe/Zurich")


def zurich(at: datetime) -> str:
    return at.astimezone(ZURICH).strftime("%a %d %H:%M")


MONDAY_4PM = datetime(2026, 3, 2, 16, 0, tzinfo=ZURICH).astimezone(UTC)


def _fan_9(session: Session) -> WorkOrder:
    """Normal work on fan-9 at plant-b (Beta Foods, standard, no contract), Monday 16:00."""
    at = MONDAY_4PM
    return from_alerts.open_for_alert(
        session=session, decision=decision(asset="fan-9", site="plant-b", at=at), now=at
    ).work_order


def test_deadlines_count_the_site_hours_and_skip_its_holidays(db: Db) -> None:
    monday_4pm = MONDAY_4PM
    with db.factory() as session:
        org = build_org(session, now=T0)
        sites.set_holiday(
            session=session, site_id=org.plant_b, day=date(2026, 3, 3), name="Fasnacht"
        )
        sites.set_holiday(
            session=session, site_id=org.plant_b, day=date(2026, 3, 4), name="off", active=False
        )
        wo = _fan_9(session)
        session.commit()
        assert (wo.priority, sla.tier_of(wo.asset)) == (Priority.NORMAL, Tier.STANDARD)
        # 8 business hours (08-17): Monday 16-17, Tuesday is a holiday, Wednesday 08-15.
        assert zurich(wo.respond_by) == "Wed 04 15:00"
        half = next(
            m
            for m in sla.milestones(session=session, wo=wo)
            if (m.clock, m.level) == (ClockKind.RESPOND, 50)
        )
        assert zurich(half.due_at) == "Wed 04 11:00"
        # Urgent work runs around the clock in the default plan.
        urgent = flows.reclassify(
            session=session,
            work_order_id=wo.id,
            priority=Priority.URGENT,
            actor="d",
            now=monday_4pm,
            reason="leak",
        )
        assert urgent.respond_by == monday_4pm + timedelta(hours=2)


def test_a_contract_names_the_plan(db: Db) -> None:
    with db.factory() as session:
        gold = plans.default_plan_in().model_copy(update={"name": "gold"}, deep=True)
        for cell in gold.targets:
            if (cell.priority, cell.customer_tier) == (Priority.NORMAL, Tier.VIP):
                cell.respond_min = 60
        plans.create_plan(session=session, data=gold, actor="t", now=T0)
        build_org(session, now=T0)  # acme (vip) has contract SC-1 naming plan "gold"
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-1", site="plant-a"), now=T0
        ).work_order
        session.commit()
        assert wo.priority is Priority.NORMAL
        assert (
            sla.current_plan_id(session=session, wo_id=wo.id)
            == plans.plan_named(session=session, name="gold").id
        )
        # Monday 09:00 in Zurich plus 60 business minutes.
        assert zurich(wo.respond_by) == "Mon 02 10:00"


def test_editing_the_site_calendar_or_the_plan_recomputes_open_work(db: Db) -> None:
    monday_4pm = MONDAY_4PM
    with db.factory() as session:
        org = build_org(session, now=T0)
        wo = _fan_9(session)
        session.commit()
        assert zurich(wo.respond_by) == "Tue 03 15:00"
        site = sites.get_site(session=session, site_id=org.plant_b)
        hours = dict(site.business_hours) | {
            "tue": [["08:00", "12:00"]],
            "wed": [["08:00", "17:00"]],
        }
        sites.update_site(
            session=session,
            site_id=org.plant_b,
            data=sites.SiteData(
                code=site.code,
                name=site.name,
                latitude=site.latitude,
                longitude=site.longitude,
                timezone=site.timezone,
                region=site.region,
                business_hours=hours,
            ),
        )
        moved = flows.site_calendar_edited(
            session=session, site_id=org.plant_b, actor="t", now=monday_4pm
        )
        assert moved == [wo.number]
        # 1 h on Monday, 4 h on Tuesday morning, 3 h on Wednesday.
        assert zurich(wo.respond_by) == "Wed 04 11:00"
        edited = plans.read(plans.default_plan(session=session))
        for cell in edited.targets:
            if (cell.priority, cell.customer_tier) == (Priority.NORMAL, Tier.STANDARD):
                cell.respond_min = 60
        data = PlanIn.model_validate(
            edited.model_dump(exclude={"id", "is_default", "updated_at", "updated_by"})
        )
        plans.update_plan(session=session, plan_id=edited.id, data=data, actor="t", now=monday_4pm)
        assert flows.plan_edited(session=session, plan_id=edited.id, actor="t", now=monday_4pm) == [
            wo.number
        ]
        assert zurich(wo.respond_by) == "Mon 02 17:00"
        actions = [a.action for a in browse.audit_log(session=session, work_order_id=wo.id)]
        assert actions[-2:] == [
            "sla recomputed: site calendar edited",
            "sla recomputed: SLA plan 'default' edited",
        ]
