"""Work-order services against SQLite and PostgreSQL: numbering, lifecycle, concurrency, audit."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.workorders.dbkit import T0, Db, decision
from workorders import assets, browse, from_alerts, service
from workorders.errors import Conflict, InvalidInput, TransitionNotAllowed
from workorders.models import (
    Criticality,
    Kind,
    Priority,
    ResolutionCode,
    Status,
    Tier,
    WorkOrder,
)
from workorders.webhooks.models import OutboxEvent


def _open(db: Db, **kw: object) -> WorkOrder:
    with db.factory() as session:
        opened = from_alerts.open_for_alert(session=session, decision=decision(**kw), now=T0)  # type: ignore[arg-type]
        session.commit()
        return opened.work_order


def test_open_creates_numbered_work_order_with_sla_and_outbox(db: Db) -> None:
    wo = _open(db, predicted_failure_at=T0 + timedelta(hours=20))
    assert re.fullmatch(r"WO-2026-\d{6}", wo.number)
    assert wo.priority is Priority.URGENT  # failure predicted within 72 h
    assert wo.kind is Kind.EQUIPMENT
    assert wo.respond_by == T0 + timedelta(hours=2)  # urgent x standard tier
    assert wo.on_site_by == T0 + timedelta(hours=24)
    assert wo.suggested_parts
    assert wo.top_metrics == {"vibration_rms": 0.7, "bearing_temp": 0.2}
    with db.factory() as session:
        events = session.scalars(
            sa.select(OutboxEvent).where(OutboxEvent.work_order_id == wo.id)
        ).all()
        assert [e.event_type for e in events] == ["work_order.created"]
        assert [a.action for a in browse.audit_log(session=session, work_order_id=wo.id)] == [
            "created"
        ]
        asset = assets.list_assets(session=session, site="plant-a")[0]
        assert (asset.customer_tier, asset.criticality) == (Tier.STANDARD, Criticality.MEDIUM)


def test_numbers_are_gap_free_after_a_rollback(db: Db) -> None:
    first = _open(db, asset="a1")
    with db.factory() as session:
        from_alerts.open_for_alert(session=session, decision=decision(asset="a2"), now=T0)
        session.rollback()
    second = _open(db, asset="a3")
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_data_quality_fault_is_a_suggestion_never_an_equipment_fault(db: Db) -> None:
    wo = _open(db, fault_code="dq_stuck_sensor", score=9.0, predicted_failure_at=T0)
    assert (wo.kind, wo.priority) == (Kind.DATA_QUALITY, Priority.SUGGESTION)


def test_one_open_work_order_per_asset_and_fault(db: Db) -> None:
    first = _open(db)
    with db.factory() as session:
        again = from_alerts.open_for_alert(session=session, decision=decision(score=1.3), now=T0)
        session.commit()
    assert (again.action, again.work_order.id) == ("deduplicated", first.id)
    other_fault = _open(db, fault_code="thermal")
    assert other_fault.id != first.id


def test_worse_detection_escalates_priority_and_tightens_deadlines(db: Db) -> None:
    wo = _open(db)
    assert wo.priority is Priority.NORMAL
    later = T0 + timedelta(hours=1)
    with db.factory() as session:
        opened = from_alerts.open_for_alert(
            session=session,
            decision=decision(at=later, predicted_failure_at=later + timedelta(hours=10)),
            now=later,
        )
        session.commit()
    assert opened.action == "updated"
    assert opened.work_order.priority is Priority.URGENT
    assert opened.work_order.respond_by == later + timedelta(hours=2)


def _move(db: Db, wo: WorkOrder, *statuses: Status) -> WorkOrder:
    for status in statuses:
        with db.factory() as session:
            wo = service.transition(
                session=session,
                work_order_id=wo.id,
                to=status,
                expected_version=wo.version,
                actor="t",
                now=T0,
            )
            session.commit()
    return wo


def test_lifecycle_stamps_times_and_audits(db: Db) -> None:
    wo = _move(db, _open(db), Status.ACKNOWLEDGED, Status.DISPATCHED, Status.IN_PROGRESS)
    assert wo.responded_at == T0
    assert wo.on_site_at == T0
    assert wo.visits == 1
    with db.factory() as session:
        wo = service.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            notes="bearing replaced",
            parts_used=["bearing set"],
            expected_version=wo.version,
            actor="engineer",
            now=T0,
        )
        wo = service.record_csat(
            session=session, work_order_id=wo.id, csat=5, expected_version=None, actor="c", now=T0
        )
        session.commit()
    wo = _move(db, wo, Status.CLOSED)
    assert wo.status is Status.CLOSED
    assert wo.csat == 5
    with db.factory() as session:
        log = browse.audit_log(session=session, work_order_id=wo.id)
    assert [a.version for a in log] == list(range(1, wo.version + 1))
    assert log[4].changes["resolution_code"] == [None, "confirmed_fault"]


def test_forbidden_transition_names_the_allowed_ones(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session, pytest.raises(TransitionNotAllowed) as error:
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.CLOSED,
            expected_version=None,
            actor="t",
            now=T0,
        )
    message = str(error.value)
    for allowed in ("acknowledged", "dispatched", "in_progress", "resolved", "cancelled"):
        assert allowed in message
    assert error.value.allowed == [
        "acknowledged",
        "cancelled",
        "dispatched",
        "in_progress",
        "resolved",
    ]


def test_closing_needs_a_resolution_code(db: Db) -> None:
    wo = _move(db, _open(db), Status.RESOLVED)
    with db.factory() as session, pytest.raises(InvalidInput, match="resolution code"):
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.CLOSED,
            expected_version=None,
            actor="t",
            now=T0,
        )


def test_stale_expected_version_is_a_conflict(db: Db) -> None:
    wo = _open(db)
    _move(db, wo, Status.ACKNOWLEDGED)
    with db.factory() as session, pytest.raises(Conflict) as error:
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.DISPATCHED,
            expected_version=1,
            actor="t",
            now=T0,
        )
    assert error.value.current_version == 2


def test_two_concurrent_transitions_one_wins_the_other_conflicts(db: Db) -> None:
    with db.committed() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset=f"race-{uuid.uuid4().hex[:8]}"), now=T0
        ).work_order
        session.commit()
    go = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(to: Status) -> None:
        go.wait(timeout=10)  # both start together, both expecting version 1
        with db.committed() as session:
            try:
                service.transition(
                    session=session,
                    work_order_id=wo.id,
                    to=to,
                    expected_version=1,
                    actor=to.value,
                    now=T0,
                )
                session.commit()
                outcomes.append("won")
            except Conflict:
                session.rollback()
                outcomes.append("conflict")

    threads = [
        threading.Thread(target=attempt, args=(s,)) for s in (Status.ACKNOWLEDGED, Status.CANCELLED)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "won"]
    with db.committed() as session:
        final = service.get_work_order(session=session, ref=wo.id)
        assert final.version == 2
        assert len(browse.audit_log(session=session, work_order_id=wo.id)) == 2
        # Committed for real: remove it (audit and outbox rows cascade) for the other tests.
        session.delete(final)
        session.commit()


def _closed(db: Db, code: ResolutionCode) -> WorkOrder:
    wo = _open(db)
    with db.factory() as session:
        wo = service.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=code,
            no_acceptance_reason="customer not on site (test)",
            expected_version=None,
            actor="e",
            now=T0,
        )
        session.commit()
    return _move(db, wo, Status.CLOSED)


def _detect_again(db: Db, at: datetime) -> from_alerts.Opened:
    with db.factory() as session:
        opened = from_alerts.open_for_alert(session=session, decision=decision(at=at), now=at)
        session.commit()
    return opened


def test_fault_after_closed_work_order_reopens_it_as_repeat_repair(db: Db) -> None:
    wo = _closed(db, ResolutionCode.CONFIRMED_FAULT)
    back = T0 + timedelta(days=12)
    opened = _detect_again(db, back)
    assert opened.action == "reopened"
    assert opened.work_order.id == wo.id
    assert opened.work_order.status is Status.REOPENED
    assert opened.work_order.repeat_count == 1
    assert opened.work_order.resolution_code is None
    assert opened.work_order.respond_by == back + timedelta(hours=8)


def test_fault_long_after_closure_opens_a_new_work_order(db: Db) -> None:
    wo = _closed(db, ResolutionCode.FALSE_ALARM)
    opened = _detect_again(db, T0 + timedelta(days=45))
    assert opened.action == "created"
    assert opened.work_order.id != wo.id


def test_pull_cursor_sees_every_change_once_more_after_an_update(db: Db) -> None:
    site = f"pull-{uuid.uuid4().hex[:6]}"
    made = [_open(db, site=site, asset=f"a{i}") for i in range(5)]
    with db.factory() as session:
        page1 = browse.list_work_orders(session=session, site=site, limit=3)
    assert [w.id for w in page1.items] == [w.id for w in made[:3]]
    _move(db, made[0], Status.ACKNOWLEDGED)  # changes while the client pages
    with db.factory() as session:
        page2 = browse.list_work_orders(
            session=session, site=site, cursor=page1.next_cursor, limit=3
        )
        assert [w.id for w in page2.items] == [made[3].id, made[4].id, made[0].id]
        assert page2.items[-1].status is Status.ACKNOWLEDGED
        page3 = browse.list_work_orders(session=session, site=site, cursor=page2.next_cursor)
        assert page3.items == []
        assert page3.next_cursor == page2.next_cursor
        assert (
            browse.list_work_orders(session=session, site=site, status=Status.ACKNOWLEDGED)
            .items[0]
            .id
            == made[0].id
        )
        assert (
            browse.list_work_orders(
                session=session, site=site, updated_since=T0 + timedelta(seconds=1)
            ).items
            == []
        )


@pytest.mark.parametrize("cursor", ["nope", "eyJ4IjoxfQ", "eyJzIjotNX0"])
def test_bad_cursor_is_a_clear_error(db: Db, cursor: str) -> None:
    with db.factory() as session, pytest.raises(InvalidInput, match="cursor"):
        browse.list_work_orders(session=session, cursor=cursor)


@pytest.mark.parametrize(("csat", "message"), [(9, "1 to 5"), (4, "once resolved")])
def test_bad_csat_is_refused_with_a_message(db: Db, csat: int, message: str) -> None:
    wo = _open(db)
    with db.factory() as session, pytest.raises(InvalidInput, match=message):
        service.record_csat(
            session=session,
            work_order_id=wo.id,
            csat=csat,
            expected_version=None,
            actor="c",
            now=T0,
        )


def test_work_order_by_number_or_id(db: Db) -> None:
    wo = _open(db)
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="not a work-order id"):
            service.get_work_order(session=session, ref="garbage")
        assert service.get_work_order(session=session, ref=wo.number.lower()).id == wo.id
        assert service.get_work_order(session=session, ref=str(wo.id)).id == wo.id


def test_sla_plan_and_asset_criticality_are_editable(db: Db) -> None:
    from workorders.sla import plans
    from workorders.sla.models import PlanIn

    with db.factory() as session:
        assets.ensure_asset(
            session=session, site="plant-a", asset="vip-1", asset_type="pump", now=T0
        )
        assets.update_asset(
            session=session,
            site="plant-a",
            asset="vip-1",
            customer="ACME",
            customer_tier=Tier.VIP,
            criticality=Criticality.HIGH,
        )
        default = plans.default_plan(session=session)
        edited = plans.read(default).model_copy(deep=True)
        for cell in edited.targets:
            if (cell.priority, cell.customer_tier) == (Priority.URGENT, Tier.VIP):
                cell.respond_min, cell.on_site_min = 30, 240
        data = PlanIn.model_validate(
            edited.model_dump(exclude={"id", "is_default", "updated_at", "updated_by"})
        )
        plans.update_plan(session=session, plan_id=default.id, data=data, actor="t", now=T0)
        for cell in data.targets:
            if (cell.priority, cell.customer_tier) == (Priority.URGENT, Tier.VIP):
                cell.respond_min = 300
        with pytest.raises(InvalidInput, match="respond_min <= on_site_min"):
            plans.update_plan(session=session, plan_id=default.id, data=data, actor="t", now=T0)
        session.commit()
    wo = _open(db, asset="vip-1")
    # A normal fault on a highly critical asset is urgent; the VIP cell of the plan applies.
    assert wo.priority is Priority.URGENT
    assert (wo.respond_by, wo.on_site_by) == (T0 + timedelta(minutes=30), T0 + timedelta(hours=4))
    assert wo.asset.customer == "ACME"


def test_number_of_a_rolled_back_creator_goes_to_the_waiting_one(db: Db) -> None:
    site = f"gap-{uuid.uuid4().hex[:6]}"
    first_took_its_number = threading.Event()
    numbers: dict[str, str] = {}

    def create(name: str, commit: bool) -> None:
        with db.committed() as session:
            wo = from_alerts.open_for_alert(
                session=session, decision=decision(site=site, asset=name), now=T0
            ).work_order
            numbers[name] = wo.number
            if commit:
                session.commit()
            else:
                first_took_its_number.set()
                time.sleep(0.5)  # the other creator is now waiting for the counter
                session.rollback()

    rolled_back = threading.Thread(target=create, args=("a", False))
    rolled_back.start()
    assert first_took_its_number.wait(timeout=10)
    create("b", True)
    rolled_back.join(timeout=10)
    assert numbers["b"] == numbers["a"]
    with db.committed() as session:
        session.delete(service.get_work_order(session=session, ref=numbers["b"]))
        session.commit()
