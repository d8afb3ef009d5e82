"""A small service history whose KPIs were worked out by hand (see test_kpis.py for the sums).

Three assets on two sites (UTC, Monday to Friday 08:00-17:00), November 2026 (the 1st is a
Sunday). Work goes through the real work-order service and SLA clock, so every deadline is the
clock's own. Urgent work counts around the clock (respond 2 h, on site 24 h, resolve 48 h); the
normal work W5 counts in business hours (8 h, 72 h, 120 h) with a pause.

- W1 A1 pump, alert, urgent, ana: created Nov 2 10:00 (alert firing 09:00), acknowledged 11:00,
  on site Nov 3 09:00, resolved confirmed 15:00.
- W2 A2 chiller, hotline, urgent, ben: created Nov 10 08:00, acknowledged 12:00, on site 14:00,
  back to dispatched 16:00, on site again Nov 11 07:00, resolved confirmed 08:00 (two visits).
- W3 A1 pump, alert, urgent, ana: created Oct 20 10:00 and resolved that day, reopened Nov 5
  10:00, acknowledged 13:00, on site 14:00, resolved confirmed 18:00.
- W4 A2 chiller, alert, urgent, ana: created Nov 20 09:00, acknowledged 09:30, false alarm 10:00.
- W5 A3 pump, portal, normal, ben: created Fri Nov 27 15:00, paused 16:00 until Mon Nov 30
  10:00 (waiting for the customer), acknowledged 16:00, on site Dec 1 09:00, resolved confirmed
  12:00: it spans two months.
- W6 A1, portal, normal: created Nov 25 10:00, cancelled 11:00.
- W7 A2 chiller, hotline, urgent: created Sun Nov 29 20:00, never answered.

A monthly preventive plan (7 days' grace) has occurrences due Nov 3 (done Nov 5), Nov 10 (done
Nov 20, late), Nov 12 (missed), Nov 28 (open), Oct 30 (done Nov 2) and Nov 15 (cancelled).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from alerts.models import Alert, AlertState
from customers.models import DEFAULT_HOURS, Asset, Customer, Site, Tier, TierSource
from field.stock.models import MoveKind, Part, StockMove, Warehouse
from followup.surveys.models import FollowUpTask, Survey, TaskKind, TaskStatus
from planning.models import MaintenancePlan, Occurrence, OccurrenceStatus, Trigger, Unit
from planning.models import Outcome as PlanOutcome
from workorders import intake, service
from workorders.models import Kind, Priority, ResolutionCode, Status, WorkOrder
from workorders.requests.models import Category, Channel, Coverage, ServiceRequest
from workorders.requests.models import Outcome as RequestOutcome
from workorders.sla import flows as sla_flows
from workorders.sla.models import PauseReason


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


NOW = at(12, 20)
S = Status
URGENT, NORMAL = Priority.URGENT, Priority.NORMAL
CONFIRMED, FALSE_ALARM = ResolutionCode.CONFIRMED_FAULT, ResolutionCode.FALSE_ALARM


@dataclass
class History:
    assets: dict[str, Asset]
    work: dict[str, WorkOrder]


def _customer(session: Session, name: str) -> Customer:
    c = Customer(
        name=name,
        tier=Tier.STANDARD,
        tier_set_by="t",
        tier_set_at=at(1, 1),
        tier_source=TierSource.MANUAL,
        created_at=at(1, 1),
    )
    session.add(c)
    session.flush()
    return c


def _site(session: Session, customer: Customer, code: str, region: str | None) -> Site:
    s = Site(
        customer_id=customer.id,
        code=code,
        name=code,
        timezone="UTC",
        region=region,
        business_hours=dict(DEFAULT_HOURS),
    )
    session.add(s)
    session.flush()
    return s


def _asset(session: Session, site: Site, name: str, kind: str, first_seen: datetime) -> Asset:
    a = Asset(
        site=site.code,
        asset=name,
        asset_type=kind,
        customer=site.customer.name,
        first_seen_at=first_seen,
        site_id=site.id,
    )
    session.add(a)
    session.flush()
    session.refresh(a)
    return a


def _open(
    session: Session,
    asset: Asset,
    *,
    when: datetime,
    priority: Priority,
    channel: str,
    fault: str = "mechanical",
    assignee: str | None = None,
) -> WorkOrder:
    return intake.insert_work_order(
        session=session,
        asset=asset,
        priority=priority,
        now=when,
        actor="t",
        kind=Kind.EQUIPMENT,
        fault_code=fault,
        fault_title=fault,
        detector="request" if channel != "alert" else "isolation_forest",
        model_version="-",
        score=1.0,
        threshold=1.0,
        top_metrics={},
        detected_at=when,
        predicted_failure_at=None,
        channel=channel,
        channels=[channel],
        assignee=assignee,
    )


def _steps(
    session: Session, wo: WorkOrder, *steps: tuple[datetime, Status | ResolutionCode]
) -> WorkOrder:
    for when, step in steps:
        if isinstance(step, ResolutionCode):
            wo = service.record_resolution(
                session=session,
                work_order_id=wo.id,
                code=step,
                no_acceptance_reason="customer not on site (test)",
                expected_version=None,
                actor="t",
                now=when,
            )
        else:
            wo = service.transition(
                session=session,
                work_order_id=wo.id,
                to=step,
                expected_version=None,
                actor="t",
                now=when,
            )
    return wo


def build(session: Session) -> History:
    acme, beta = _customer(session, "ACME"), _customer(session, "Beta")
    s1, s2 = _site(session, acme, "s1", "north"), _site(session, beta, "s2", "south")
    a1 = _asset(session, s1, "a1", "pump", at(1, 1))
    a2 = _asset(session, s2, "a2", "chiller", at(1, 1))
    a3 = _asset(session, s2, "a3", "pump", at(11, 16))

    w1 = _open(session, a1, when=at(11, 2, 10), priority=URGENT, channel="alert", assignee="ana")
    w1 = _steps(
        session,
        w1,
        (at(11, 2, 11), S.ACKNOWLEDGED),
        (at(11, 3, 9), S.IN_PROGRESS),
        (at(11, 3, 15), CONFIRMED),
    )
    w2 = _open(session, a2, when=at(11, 10, 8), priority=URGENT, channel="hotline", assignee="ben")
    w2 = _steps(
        session, w2,
        (at(11, 10, 12), S.ACKNOWLEDGED), (at(11, 10, 14), S.IN_PROGRESS),
        (at(11, 10, 16), S.DISPATCHED), (at(11, 11, 7), S.IN_PROGRESS), (at(11, 11, 8), CONFIRMED),
    )  # fmt: skip
    w3 = _open(
        session,
        a1,
        when=at(10, 20, 10),
        priority=URGENT,
        channel="alert",
        fault="electrical",
        assignee="ana",
    )
    w3 = _steps(
        session, w3,
        (at(10, 20, 10, 30), S.ACKNOWLEDGED), (at(10, 20, 12), S.IN_PROGRESS), (at(10, 20, 16), CONFIRMED),
        (at(11, 5, 10), S.REOPENED), (at(11, 5, 13), S.ACKNOWLEDGED),
        (at(11, 5, 14), S.IN_PROGRESS), (at(11, 5, 18), CONFIRMED),
    )  # fmt: skip
    w4 = _open(
        session,
        a2,
        when=at(11, 20, 9),
        priority=URGENT,
        channel="alert",
        fault="thermal",
        assignee="ana",
    )
    w4 = _steps(session, w4, (at(11, 20, 9, 30), S.ACKNOWLEDGED), (at(11, 20, 10), FALSE_ALARM))
    w5 = _open(session, a3, when=at(11, 27, 15), priority=NORMAL, channel="portal", assignee="ben")
    sla_flows.pause(
        session=session, work_order_id=w5.id, reason=PauseReason.WAITING_FOR_CUSTOMER,
        actor="t", now=at(11, 27, 16), resume_at=at(11, 30, 10),
    )  # fmt: skip
    w5 = _steps(
        session,
        w5,
        (at(11, 30, 16), S.ACKNOWLEDGED),
        (at(12, 1, 9), S.IN_PROGRESS),
        (at(12, 1, 12), CONFIRMED),
    )
    w6 = _open(session, a1, when=at(11, 25, 10), priority=NORMAL, channel="portal", fault="noise")
    w6 = _steps(session, w6, (at(11, 25, 11), S.CANCELLED))
    w7 = _open(session, a2, when=at(11, 29, 20), priority=URGENT, channel="hotline", fault="leak")

    session.add(
        Alert(
            id=uuid.uuid4(), site="s1", asset="a1", asset_type="pump", fault_code="mechanical",
            kind=Kind.EQUIPMENT, state=AlertState.RESOLVED, started_at=at(11, 2, 8, 50),
            firing_at=at(11, 2, 9), resolved_at=at(11, 3, 15), updated_at=at(11, 3, 15),
            detector="isolation_forest", model_version="-", threshold=1.0, last_score=0.5,
            peak_score=2.0, contributions={}, work_order_id=w1.id,
        )
    )  # fmt: skip

    def survey(
        n: int,
        wo: WorkOrder | None,
        asset: Asset,
        answered: datetime | None,
        score: float | None,
        recommend: int | None,
    ) -> None:
        session.add(
            Survey(
                customer_id=asset.customer_id, asset_id=asset.id, work_order_id=wo.id if wo else None,
                token_hash=f"{n:064d}", sent_at=at(10, 1), sent_by="t", expires_at=at(12, 31),
                weights={}, questions={}, answered_at=answered, score=score, recommend=recommend,
            )
        )  # fmt: skip

    survey(1, w1, a1, at(11, 5), 4.6, 10)
    survey(2, w2, a2, at(11, 12), 2.4, 3)
    survey(3, w3, a1, at(11, 7), 4.0, 8)
    survey(4, w4, a2, None, None, None)
    survey(5, None, a1, at(10, 31, 23, 59), 5.0, 9)

    def task(
        kind: TaskKind, asset: Asset, wo: WorkOrder | None, due: datetime, status: TaskStatus
    ) -> None:
        session.add(
            FollowUpTask(
                kind=kind, asset_id=asset.id, customer_id=asset.customer_id,
                work_order_id=wo.id if wo else None, due_key=due.isoformat(), due_at=due,
                title="t", status=status, created_at=at(10, 1), created_by="t",
                done_at=due if status is TaskStatus.DONE else None,
            )
        )  # fmt: skip

    task(TaskKind.AFTER_REPAIR, a1, w1, at(11, 4, 15), TaskStatus.DONE)
    task(TaskKind.AFTER_REPAIR, a2, w2, at(11, 12, 8), TaskStatus.OPEN)
    task(TaskKind.AFTER_REPAIR, a1, w3, at(11, 6, 18), TaskStatus.CANCELLED)
    task(TaskKind.PERIODIC, a3, None, at(11, 30, 9), TaskStatus.DONE)

    def request(
        n: int,
        channel: Channel,
        category: Category | None,
        wo: WorkOrder,
        asset: Asset,
        received: datetime,
        outcome: RequestOutcome = RequestOutcome.CREATED,
    ) -> None:
        session.add(
            ServiceRequest(
                number=f"SR-2026-{n:06d}", channel=channel, category=category, description="d",
                problem=category.value if category else wo.fault_code, asset_id=asset.id,
                site_id=asset.site_id, customer_id=asset.customer_id, received_at=received,
                raised_by="t", work_order_id=wo.id, outcome=outcome, priority=wo.priority,
                reasons=[], coverage=Coverage.CONTRACT, billable=False,
            )
        )  # fmt: skip

    request(1, Channel.HOTLINE, Category.EMERGENCY_REPAIR, w2, a2, at(11, 10, 8))
    request(2, Channel.PORTAL, Category.TROUBLESHOOTING, w5, a3, at(11, 27, 15))
    request(
        3, Channel.HOTLINE, Category.TROUBLESHOOTING, w3, a1, at(11, 5, 11), RequestOutcome.REOPENED
    )
    request(4, Channel.PORTAL, Category.CONSULTATION, w6, a1, at(11, 25, 10))
    request(5, Channel.ALERT, None, w1, a1, at(11, 2, 10))
    request(6, Channel.HOTLINE, Category.EMERGENCY_REPAIR, w7, a2, at(11, 29, 20))

    p1 = Part(part_number="P1", name="bearing", unit_cost=100.0)
    p2 = Part(part_number="P2", name="seal", unit_cost=12.5)
    van = Warehouse(code="van", name="van")
    session.add_all([p1, p2, van])
    session.flush()

    def move(
        kind: MoveKind, part: Part, quantity: int, wo: WorkOrder | None, when: datetime
    ) -> None:
        session.add(
            StockMove(
                at=when, kind=kind.value, part_id=part.id, warehouse_id=van.id, quantity=quantity,
                work_order_id=wo.id if wo else None, asset_id=wo.asset_id if wo else None, actor="t",
            )
        )  # fmt: skip

    move(MoveKind.RECEIPT, p1, 10, None, at(11, 1))
    move(MoveKind.CONSUME, p1, 1, w1, at(11, 3, 14))
    move(MoveKind.CONSUME, p2, 4, w2, at(11, 10, 15))
    move(MoveKind.RETURN, p2, 1, w2, at(11, 11, 9))
    move(MoveKind.CONSUME, p1, 2, w5, at(12, 1, 11))

    plan = MaintenancePlan(
        name="a1 monthly", asset_id=a1.id, trigger=Trigger.CALENDAR, every=1, unit=Unit.MONTHS,
        grace_days=7, created_at=at(1, 1), created_by="t", updated_at=at(1, 1),
    )  # fmt: skip
    session.add(plan)
    session.flush()

    def occurrence(
        key: str, asset: Asset, due: datetime, status: OccurrenceStatus, done: datetime | None
    ) -> None:
        session.add(
            Occurrence(
                plan_id=plan.id, asset_id=asset.id, due_key=key, due_at=due, generated_at=due,
                outcome=PlanOutcome.CREATED, reason="due", status=status, done_at=done,
            )
        )  # fmt: skip

    occurrence("o1", a1, at(11, 3), OccurrenceStatus.DONE, at(11, 5))  # on time
    occurrence("o2", a1, at(11, 10), OccurrenceStatus.DONE, at(11, 20))  # late: past 7 days
    occurrence("o3", a3, at(11, 12), OccurrenceStatus.MISSED, None)
    occurrence("o4", a1, at(11, 28), OccurrenceStatus.OPEN, None)  # within its grace on Dec 1
    occurrence("o5", a2, at(10, 30), OccurrenceStatus.DONE, at(11, 2))  # October's
    occurrence("o6", a2, at(11, 15), OccurrenceStatus.CANCELLED, None)  # plan ended: not counted
    session.flush()
    work = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7}
    return History({"a1": a1, "a2": a2, "a3": a3}, work)
