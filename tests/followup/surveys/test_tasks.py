"""Follow-up tasks on SQLite and PostgreSQL: the schedule, reruns, the overdue list, reminders
and the record of each contact."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import InvalidInput, NotFound
from customers.models import Contract
from followup.surveys import contacts, schedule, tasks
from followup.surveys.models import ContactChannel, FollowUpTask, TaskKind, TaskStatus
from tests.customers.builders import ACTOR, build_org
from tests.followup.surveys.builders import asset, repaired
from tests.workorders.dbkit import T0, Db


def kinds_and_days(session: Session, asset_id: int) -> list[tuple[str, str]]:
    rows = session.scalars(
        sa.select(FollowUpTask)
        .where(FollowUpTask.asset_id == asset_id)
        .order_by(FollowUpTask.due_at)
    )
    return [(t.kind.value, t.due_key) for t in rows]


def test_add_months_clamps_to_the_month_end_without_drifting() -> None:
    assert schedule.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert schedule.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert schedule.add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert schedule.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("every", "expected"),
    [
        (3, ["2026-01-08", "2026-04-01", "2026-07-01", "2026-10-01", "2027-01-01", "2028-01-01"]),
        (6, ["2026-01-08", "2026-07-01", "2027-01-01", "2028-01-01"]),
    ],
)
def test_visits_first_week_then_per_contract_then_yearly(every: int, expected: list[str]) -> None:
    got = list(schedule.visits(date(2026, 1, 1), every_months=every, until=date(2028, 6, 1)))
    assert [d.isoformat() for _, d in got] == expected
    assert got[0][0] is TaskKind.AFTER_INSTALLATION
    assert {k for k, _ in got[1:]} == {TaskKind.PERIODIC}


def test_a_visit_falls_due_at_nine_in_the_sites_zone() -> None:
    # Zurich is UTC+1 in winter and UTC+2 in summer.
    assert schedule.due_at(date(2026, 2, 7), "Europe/Zurich") == datetime(2026, 2, 7, 8, tzinfo=UTC)
    assert schedule.due_at(date(2026, 7, 7), "Europe/Zurich") == datetime(2026, 7, 7, 7, tzinfo=UTC)


def test_a_repair_is_followed_up_24_hours_later_once(db: Db) -> None:
    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        now = T0 + timedelta(hours=1)
        created = tasks.generate(session=session, now=now, assignee="Lea Keller")
        again = tasks.generate(session=session, now=now + timedelta(hours=1))
        repair_tasks = session.scalars(
            sa.select(FollowUpTask).where(FollowUpTask.kind == TaskKind.AFTER_REPAIR)
        ).all()
        assert len(repair_tasks) == 1
        assert repair_tasks[0].id in created
        assert not set(again) & {t.id for t in repair_tasks}
        task = repair_tasks[0]
        assert task.due_at == T0 + timedelta(hours=24)
        assert task.work_order_id == done.work_order.id
        assert task.assignee == "Lea Keller"
        assert done.work_order.number in task.title


def test_a_false_alarm_is_not_followed_up(db: Db) -> None:
    from workorders import service as wo_service
    from workorders.models import ResolutionCode

    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        wo_service.record_resolution(
            session=session,
            work_order_id=done.work_order.id,
            code=ResolutionCode.FALSE_ALARM,
            expected_version=None,
            actor=ACTOR,
            now=T0,
        )
        tasks.generate(session=session, now=T0 + timedelta(hours=1))
        kinds = {t.kind for t in session.scalars(sa.select(FollowUpTask))}
        assert TaskKind.AFTER_REPAIR not in kinds


def _installed(session: Session, *, first_use: date, every: int | None = None) -> int:
    """ACME's pump-2 (paid contract SC-1, 2026) first used on ``first_use``."""
    org = build_org(session, now=datetime(2025, 12, 1, tzinfo=UTC))
    pump = asset(session, org.pump_2)
    pump.install_date = first_use
    if every is not None:
        sc1 = session.scalars(sa.select(Contract).where(Contract.number == "SC-1")).one()
        contacts.set_cadence(
            session=session, contract_id=sc1.id, first_year_months=every, actor=ACTOR, now=T0
        )
    session.flush()
    return org.pump_2


def test_installation_visits_follow_the_contracts_cadence(db: Db) -> None:
    with db.factory() as session, session.begin():
        pump = _installed(session, first_use=date(2026, 1, 31), every=3)
        window = tasks.Window(lookback=timedelta(days=30), horizon=timedelta(days=14))
        for day in range(0, 400, 7):  # the job, run weekly for more than a year
            tasks.generate(
                session=session,
                now=datetime(2026, 1, 20, tzinfo=UTC) + timedelta(days=day),
                window=window,
            )
        assert kinds_and_days(session, pump) == [
            ("after_installation", "2026-02-07"),
            ("periodic", "2026-04-30"),
            ("periodic", "2026-07-31"),
            ("periodic", "2026-10-31"),
            # 2027-01-31 (yearly) is after SC-1 ends on 2026-12-31: no contract, no visit.
        ]
        first = session.scalars(
            sa.select(FollowUpTask)
            .where(FollowUpTask.asset_id == pump)
            .order_by(FollowUpTask.due_at)
        ).first()
        assert first is not None
        assert first.due_at == datetime(2026, 2, 7, 8, tzinfo=UTC)
        assert "SC-1" in first.title


def test_half_yearly_is_the_default_and_a_catch_up_after_downtime_adds_what_was_missed(
    db: Db,
) -> None:
    with db.factory() as session, session.begin():
        pump = _installed(session, first_use=date(2026, 1, 31))
        # The job did not run for months; the run on 2026-08-10 still finds 2026-07-31.
        tasks.generate(session=session, now=datetime(2026, 8, 10, tzinfo=UTC))
        assert kinds_and_days(session, pump) == [("periodic", "2026-07-31")]
        tasks.generate(session=session, now=datetime(2026, 8, 10, tzinfo=UTC))
        assert kinds_and_days(session, pump) == [("periodic", "2026-07-31")]


def test_a_customer_without_a_contract_gets_no_scheduled_visits(db: Db) -> None:
    with db.factory() as session, session.begin():
        org = build_org(session, now=datetime(2025, 12, 1, tzinfo=UTC))
        for asset_id in (org.fan_9, org.pump_1):
            asset(session, asset_id).install_date = date(2026, 1, 31)
        tasks.generate(session=session, now=datetime(2026, 2, 5, tzinfo=UTC))
        assert kinds_and_days(session, org.fan_9) == []
        assert kinds_and_days(session, org.pump_1) != []  # ACME's contracts cover its pumps


def test_overdue_list_and_reminders_each_once(db: Db) -> None:
    with db.factory() as session, session.begin():
        repaired(session, now=T0)
        tasks.generate(session=session, now=T0)
        due = T0 + timedelta(hours=24)
        assert tasks.list_tasks(session=session, now=T0, overdue=True) == []
        first = tasks.remind(session=session, now=T0 + timedelta(hours=1))
        assert [t.kind for t in first.due_soon] == [TaskKind.AFTER_REPAIR]
        assert first.overdue == []
        assert tasks.remind(session=session, now=T0 + timedelta(hours=2)).due_soon == []
        late = due + timedelta(minutes=1)
        (overdue,) = tasks.list_tasks(session=session, now=late, overdue=True)
        assert tasks.remind(session=session, now=late).overdue == [overdue]
        assert tasks.remind(session=session, now=late + timedelta(hours=1)).overdue == []
        tasks.finish(session=session, task_id=overdue.id, status=TaskStatus.DONE, now=late)
        assert tasks.list_tasks(session=session, now=late, overdue=True) == []


def test_a_contact_is_recorded_and_can_complete_the_task(db: Db) -> None:
    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        (task_id,) = [
            i
            for i in tasks.generate(session=session, now=T0)
            if tasks.get_task(session=session, task_id=i).kind is TaskKind.AFTER_REPAIR
        ]
        at = T0 + timedelta(hours=25)
        data = contacts.ContactData(
            at=at,
            channel=ContactChannel.PHONE,
            made_by="Lea Keller",
            summary="Pump quiet since the repair; customer satisfied.",
            contact_id=done.org.contact,
        )
        row = contacts.record_contact(
            session=session, task_id=task_id, data=data, actor=ACTOR, now=at
        )
        assert (row.made_by, row.channel, row.at) == ("Lea Keller", ContactChannel.PHONE, at)
        assert tasks.get_task(session=session, task_id=task_id).status is TaskStatus.OPEN
        contacts.record_contact(
            session=session,
            task_id=task_id,
            data=contacts.ContactData(
                at=at, channel=ContactChannel.EMAIL, made_by="Lea", summary="Sent notes", done=True
            ),
            actor=ACTOR,
            now=at,
        )
        assert tasks.get_task(session=session, task_id=task_id).status is TaskStatus.DONE
        assert len(contacts.list_contacts(session=session, task_id=task_id)) == 2
        with pytest.raises(InvalidInput, match="future"):
            contacts.record_contact(
                session=session,
                task_id=task_id,
                data=contacts.ContactData(
                    at=at + timedelta(hours=1),
                    channel=ContactChannel.PHONE,
                    made_by="x",
                    summary="y",
                ),
                actor=ACTOR,
                now=at,
            )
        beta_contact = done.org.contact + 1000
        with pytest.raises(NotFound):
            contacts.record_contact(
                session=session,
                task_id=task_id,
                data=contacts.ContactData(
                    at=at,
                    channel=ContactChannel.PHONE,
                    made_by="x",
                    summary="y",
                    contact_id=beta_contact,
                ),
                actor=ACTOR,
                now=at,
            )


def test_cadence_is_3_or_6_months(db: Db) -> None:
    with db.factory() as session, session.begin():
        build_org(session, now=T0)
        sc1 = session.scalars(sa.select(Contract).where(Contract.number == "SC-1")).one()
        assert contacts.cadence_of(session=session, contract_id=sc1.id) == 6
        with pytest.raises(InvalidInput, match=r"3 .* or 6"):
            contacts.set_cadence(
                session=session, contract_id=sc1.id, first_year_months=4, actor=ACTOR, now=T0
            )
