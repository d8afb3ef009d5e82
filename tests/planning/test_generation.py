"""Plans make their work once per due date, ahead of time, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from knowledge import service as kb
from knowledge.models import ArticleCreate, ArticleStatus
from planning.models import Occurrence, OccurrenceStatus, Outcome, PlanProgress
from tests.customers.builders import build_org
from tests.planning.builders import FakeTelemetry, finish, plan, run
from tests.workorders.dbkit import Db, decision
from workorders import from_alerts
from workorders import service as wo_service
from workorders.models import Kind, Status, WorkOrder
from workorders.requests.models import ServiceRequest

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def occurrences(db: Db) -> list[Occurrence]:
    with db.factory() as session:
        return list(session.scalars(sa.select(Occurrence).order_by(Occurrence.due_key)))


def test_a_monthly_plan_on_the_31st_opens_its_work_lead_days_ahead_once_per_due_date(
    db: Db,
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=1, unit="months",
             start_on=date(2026, 1, 31), lead_days=7)  # fmt: skip
        session.commit()
    # 31 January, 09:00 in Zurich is 08:00 UTC: seven days earlier the work is opened.
    assert run(db.factory, None, datetime(2026, 1, 24, 7, 59, tzinfo=UTC)).created == []
    first = run(db.factory, None, datetime(2026, 1, 24, 8, 0, tzinfo=UTC))
    assert len(first.created) == 1
    again = run(db.factory, None, datetime(2026, 1, 24, 8, 5, tzinfo=UTC))
    assert again.created == []
    assert again.attached == []
    with db.factory() as session:
        wo = wo_service.get_work_order(session=session, ref=first.created[0])
        assert wo.kind is Kind.SERVICE
        assert (wo.channel, wo.category) == ("preventive", "preventive_maintenance")
        assert wo.suggested_actions == ["Grease the bearings"]
        finish(session, wo, now=datetime(2026, 1, 30, 10, tzinfo=UTC))
        session.commit()
    # Fixed plan: February's due date is the 28th, then back to the 31st in March.
    feb = run(db.factory, None, datetime(2026, 2, 21, 8, 0, tzinfo=UTC))
    assert feb.done == 1
    # February's work is still open when March's is due: the same visit takes it.
    mar = run(db.factory, None, datetime(2026, 3, 24, 8, 0, tzinfo=UTC))
    assert len(feb.created) == 1
    assert mar.created == []
    assert mar.attached == feb.created
    rows = occurrences(db)
    assert [o.due_key for o in rows] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert rows[0].status is OccurrenceStatus.DONE
    assert rows[0].done_at == datetime(2026, 1, 30, 10, tzinfo=UTC)
    # 31 March is summer time in Zurich: 09:00 local is 07:00 UTC.
    assert rows[2].due_at == datetime(2026, 3, 31, 7, tzinfo=UTC)


def test_a_catch_up_after_downtime_makes_one_work_order_and_records_the_missed_dates(
    db: Db,
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=7, unit="days",
             start_on=date(2026, 1, 12), lead_days=1)  # fmt: skip
        session.commit()
    run(db.factory, None, T0)
    # The scheduler was down from 5 January to 29 January: 12, 19 and 26 January have passed.
    report = run(db.factory, None, datetime(2026, 1, 29, 12, tzinfo=UTC))
    assert len(report.created) == 1
    assert report.skipped == 2
    assert run(db.factory, None, datetime(2026, 1, 29, 12, 5, tzinfo=UTC)).skipped == 0
    rows = occurrences(db)
    assert [(o.due_key, o.outcome, o.status) for o in rows] == [
        ("2026-01-12", Outcome.SKIPPED, OccurrenceStatus.MISSED),
        ("2026-01-19", Outcome.SKIPPED, OccurrenceStatus.MISSED),
        ("2026-01-26", Outcome.CREATED, OccurrenceStatus.OPEN),
    ]
    assert "superseded by 2026-01-26" in rows[0].reason


def test_a_plan_from_completion_counts_its_next_due_date_from_the_day_the_work_was_done(
    db: Db,
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=30, unit="days",
             anchor="completion", start_on=date(2026, 1, 10), lead_days=2)  # fmt: skip
        session.commit()
    (number,) = run(db.factory, None, datetime(2026, 1, 8, 9, tzinfo=UTC)).created
    # Nothing more while it waits, even past the fixed date it would have had.
    assert run(db.factory, None, datetime(2026, 2, 10, tzinfo=UTC)).created == []
    with db.factory() as session:
        finish(session, number, now=datetime(2026, 2, 12, 15, tzinfo=UTC))
        session.commit()
    run(db.factory, None, datetime(2026, 2, 13, tzinfo=UTC))
    assert run(db.factory, None, datetime(2026, 3, 12, 7, tzinfo=UTC)).created == []
    assert len(run(db.factory, None, datetime(2026, 3, 12, 8, tzinfo=UTC)).created) == 1
    assert [o.due_key for o in occurrences(db)] == ["2026-01-10", "2026-03-14"]


def test_a_plan_due_while_a_predictive_work_order_is_open_attaches_its_checklist_to_it(
    db: Db,
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        article = kb.create(
            session=session,
            data=ArticleCreate(
                title="Pump bearing service",
                fix_steps=["Lock out the pump", "Grease both bearings", "Check the coupling"],
                parts=["grease cartridge"],
                status=ArticleStatus.PUBLISHED,
            ),
            author="expert",
            now=T0,
        )
        plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=3, unit="months",
             start_on=date(2026, 1, 20), lead_days=10, article_ids=[article.id],
             steps=["Grease both bearings", "Record the vibration level"])  # fmt: skip
        predictive = from_alerts.open_for_alert(
            session=session, decision=decision(site="plant-a", asset="pump-1"), now=T0
        ).work_order
        session.commit()
    report = run(db.factory, None, datetime(2026, 1, 12, tzinfo=UTC))
    assert report.created == []
    assert report.attached == [predictive.number]
    with db.factory() as session:
        wo = wo_service.get_work_order(session=session, ref=predictive.id)
        count = session.scalar(sa.select(sa.func.count()).select_from(WorkOrder))
        request = session.scalars(
            sa.select(ServiceRequest).where(ServiceRequest.channel == "preventive")
        ).one()
    assert count == 1, "no second engineer: the predictive work order takes the maintenance"
    pm = [a for a in wo.suggested_actions if a.startswith("[PM Lubrication]")]
    assert pm == [
        "[PM Lubrication] Lock out the pump",
        "[PM Lubrication] Grease both bearings",
        "[PM Lubrication] Check the coupling",
        "[PM Lubrication] Record the vibration level",
    ]
    assert "grease cartridge" in wo.suggested_parts
    assert wo.channels == ["alert", "preventive"]
    assert request.work_order_id == wo.id
    assert request.outcome.value == "attached"
    (occurrence,) = occurrences(db)
    assert occurrence.outcome is Outcome.ATTACHED
    assert occurrence.work_order_id == predictive.id
    assert f"predictive work order {predictive.number}" in occurrence.reason
    assert occurrence.checklist == [s.removeprefix("[PM Lubrication] ") for s in pm]
    # The predictive repair done is the maintenance done.
    with db.factory() as session:
        finish(session, predictive.number, now=datetime(2026, 1, 15, tzinfo=UTC))
        session.commit()
    assert run(db.factory, None, datetime(2026, 1, 16, tzinfo=UTC)).done == 1
    (occurrence,) = occurrences(db)
    assert occurrence.status is OccurrenceStatus.DONE


def test_a_plan_for_an_asset_type_covers_each_asset_of_that_type(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_type="pump", trigger="calendar", every=6, unit="months",
             start_on=date(2026, 1, 20), lead_days=14)  # fmt: skip
        session.commit()
    with db.factory() as session:
        from_alerts.open_for_alert(
            session=session,
            decision=decision(site="elsewhere", asset="chiller-1", asset_type="chiller"),
            now=T0,
        )
        session.commit()
    report = run(db.factory, None, datetime(2026, 1, 10, tzinfo=UTC))
    assert len(report.created) == 3  # the three pumps (the builder's fan-9 is a pump too)
    with db.factory() as session:
        assets = set(session.scalars(sa.select(Occurrence.asset_id)))
    assert assets == {org.pump_1, org.pump_2, org.fan_9}


def test_a_condition_hovering_at_its_level_makes_one_work_order_per_episode(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="condition",
             metric="bearing_temperature", direction="above", level=80.0, clear_level=72.0,
             for_readings=3)  # fmt: skip
        session.commit()
    telemetry = FakeTelemetry()
    t = [T0 + timedelta(minutes=10 * i) for i in range(60)]
    hovering = [79.5, 80.2, 80.1, 79.9, 80.3, 80.4, 80.2, 79.8, 80.6, 80.1, 80.9, 79.7]
    telemetry.add("pump-1", "bearing_temperature", list(zip(t, hovering, strict=False)))
    made = []
    for step in range(1, 13):  # the job runs every 10 minutes, readings arrive in between
        made += run(db.factory, telemetry, t[step] + timedelta(minutes=5)).created
    assert len(made) == 1
    (first,) = occurrences(db)
    assert first.due_key == "c20260105T084000Z"  # the episode's first reading past 80
    assert first.due_at == t[6]
    with db.factory() as session:
        finish(session, made[0], now=t[13])
        session.commit()
    # Cooled down under 72, then a second real episode.
    telemetry.add(
        "pump-1", "bearing_temperature", list(zip(t[12:], [71.0, 81.0, 82.0, 83.0], strict=False))
    )
    for step in range(13, 17):
        made += run(db.factory, telemetry, t[step] + timedelta(minutes=5)).created
    assert len(made) == 2
    assert [o.due_key for o in occurrences(db)] == ["c20260105T084000Z", "c20260105T101000Z"]
    with db.factory() as session:
        progress = session.scalars(sa.select(PlanProgress)).one()
    assert progress.armed is False


def test_a_running_hours_counter_reset_neither_fires_early_nor_loses_the_hours(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="running_hours", interval_hours=10.0,
             lead_hours=2.0)  # fmt: skip
        session.commit()
    telemetry = FakeTelemetry()
    # Hourly readings: 3002 h, then the meter is replaced (1 h on the new one), and counts on.
    values = [3000.0, 3001.0, 3002.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    readings = [(T0 + timedelta(hours=i), v) for i, v in enumerate(values)]
    telemetry.add("pump-1", "operating_hours", readings)
    created = []
    for i in range(len(values)):
        created += run(db.factory, telemetry, readings[i][0] + timedelta(minutes=1)).created
    # Baseline 3000 h (first run); due at 3010 h; opened at 3008 h = the new meter's 6.0.
    assert len(created) == 1
    (occurrence,) = occurrences(db)
    assert occurrence.due_key == "3010.0h"
    assert occurrence.generated_at == readings[8][0] + timedelta(minutes=1)
    assert occurrence.due_at == readings[10][0]  # 3010 h reached at the new meter's 8.0
    with db.factory() as session:
        progress = session.scalars(sa.select(PlanProgress)).one()
    assert progress.counter_resets == 1
    assert progress.run_hours is not None
    assert abs(progress.run_hours - 3010.0) < 1e-6


def test_work_orders_cancelled_count_as_missed_and_status_open_stays_for_the_dashboard(
    db: Db,
) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=7, unit="days",
             start_on=date(2026, 1, 12), lead_days=1)  # fmt: skip
        session.commit()
    (number,) = run(db.factory, None, datetime(2026, 1, 11, 9, tzinfo=UTC)).created
    with db.factory() as session:
        wo = wo_service.get_work_order(session=session, ref=number)
        wo_service.transition(session=session, work_order_id=wo.id, to=Status.CANCELLED,
                              expected_version=None, actor="desk", now=datetime(2026, 1, 11, 10, tzinfo=UTC))  # fmt: skip
        session.commit()
    run(db.factory, None, datetime(2026, 1, 11, 11, tzinfo=UTC))
    (occurrence,) = occurrences(db)
    assert occurrence.status is OccurrenceStatus.MISSED


def test_a_counter_jumping_two_intervals_while_offline_makes_one_work_order(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        plan(session, now=T0, asset_id=org.pump_1, trigger="running_hours", interval_hours=10.0,
             lead_hours=1.0)  # fmt: skip
        session.commit()
    telemetry = FakeTelemetry()
    # The gateway is offline for 30 hours; the counter ran on (three intervals' worth).
    readings = [(T0, 500.0), (T0 + timedelta(hours=1), 501.0), (T0 + timedelta(hours=31), 531.0)]
    telemetry.add("pump-1", "operating_hours", readings)
    made = []
    for at in (readings[0][0], readings[1][0], readings[2][0], readings[2][0] + timedelta(hours=1)):
        made += run(db.factory, telemetry, at + timedelta(minutes=1)).created
    assert len(made) == 1, "one visit, not one per interval missed"
    (occurrence,) = occurrences(db)
    assert occurrence.due_key == "510.0h"
    assert occurrence.due_at == readings[2][0]  # reached while offline: first seen at 531 h
