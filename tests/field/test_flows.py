"""Suggestions and dispatch on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from customers.service import create_customer
from customers.sites import SiteData, create_site
from field import flows, service
from field.models import Dispatch, DispatchMode, Engineer, EngineerLevel
from field.schemas import AbsenceIn, RequirementIn
from field.tasks import task_list
from tests.field.builders import SCORING, make_engineer, open_work_order, send, soon
from tests.field.fixtures import NOW
from tests.workorders.dbkit import Db
from workorders import browse
from workorders import service as workorders
from workorders.errors import Conflict, InvalidInput
from workorders.models import Status


def test_suggestions_rank_the_nearest_qualified_and_skip_unskilled_and_on_leave(db: Db) -> None:
    with db.factory() as session:
        far = make_engineer(session, "far", base="grenoble")
        near = make_engineer(session, "near", base="villeurbanne")
        chiller = make_engineer(session, "chiller", base="lyon", skills=[("chiller", "*", 3)])
        away = make_engineer(session, "away", base="lyon")
        service.add_absence(
            session=session,
            engineer_id=away.id,
            data=AbsenceIn(starts_at=soon(-24), ends_at=soon(72), reason="annual leave"),
            now=NOW,
        )
        wo = open_work_order(session)
        found = flows.suggest(session=session, work_order_id=wo.id, now=NOW, scoring=SCORING)
        assert [s.engineer_id for s in found.ranking.suggestions] == [near.id, far.id]
        excluded = {x.engineer_id: x.reasons for x in found.ranking.excluded}
        assert excluded[chiller.id] == ("no skill for pump / mechanical",)
        assert excluded[away.id][0].startswith("on leave (annual leave) until")


def test_dispatch_assigns_moves_to_dispatched_and_records_who_and_why(db: Db) -> None:
    with db.factory() as session:
        near = make_engineer(session, "near", base="villeurbanne")
        other = make_engineer(session, "other", base="grenoble")
        wo = open_work_order(session)
        record = send(session, wo, near, actor="dispatcher d")
        assert (wo.status, wo.assignee) == (Status.DISPATCHED, "near")
        assert record.mode is DispatchMode.MANUAL
        assert record.actor == "dispatcher d"
        assert record.reason.startswith(f"score {record.score:.3f}: skill pump / any fault")
        assert [p["name"] for p in record.parts] == ["skill", "travel", "load", "slack"]
        actions = [a.action for a in browse.audit_log(session=session, work_order_id=wo.id)]
        assert actions[-2:] == ["assign", "status:open->dispatched (manual dispatch to near)"]
        assert service.open_jobs(session=session) == {near.id: 1}

        again = send(session, wo, other, actor="dispatcher d", reason="Nadia called in sick")
        assert again.reason == "Nadia called in sick"
        assert [d.active for d in flows.dispatches(session=session, work_order_id=wo.id)] == [
            False,
            True,
        ]
        assert (wo.status, wo.assignee) == (Status.DISPATCHED, "other")
        assert service.open_jobs(session=session) == {other.id: 1}
        with pytest.raises(InvalidInput, match="already dispatched"):
            send(session, wo, other)


def test_dispatch_refuses_the_unqualified_with_the_reasons_and_the_full_with_conflict(
    db: Db,
) -> None:
    with db.factory() as session:
        chiller = make_engineer(session, "chiller", skills=[("chiller", "*", 3)])
        single = make_engineer(session, "single", max_open_jobs=1)
        first, second = open_work_order(session), open_work_order(session)
        with pytest.raises(InvalidInput, match=r"cannot send Chiller to WO-.*: no skill for pump"):
            send(session, first, chiller)
        send(session, first, single)
        with pytest.raises(Conflict, match="at capacity: open jobs 1 of 1"):
            send(session, second, single)
        # The repair done, the slot is free again.
        workorders.transition(
            session=session,
            work_order_id=first.id,
            to=Status.RESOLVED,
            expected_version=None,
            actor="t",
            now=NOW,
        )
        send(session, second, single)


def test_requirements_filter_by_level_and_certification(db: Db) -> None:
    with db.factory() as session:
        junior = make_engineer(session, "junior", level="junior", base="villeurbanne")
        senior = make_engineer(
            session,
            "senior",
            level="senior",
            certifications=[{"name": "ATEX", "expires_on": "2027-01-01"}],
        )
        service.set_requirement(
            session=session,
            asset_type="pump",
            data=RequirementIn(min_level=EngineerLevel.SENIOR, certifications=["ATEX"]),
        )
        wo = open_work_order(session)
        found = flows.suggest(session=session, work_order_id=wo.id, now=NOW, scoring=SCORING)
        assert [s.engineer_id for s in found.ranking.suggestions] == [senior.id]
        assert {x.engineer_id: x.reasons for x in found.ranking.excluded}[junior.id] == (
            "level junior is below the senior required",
            "no ATEX certification",
        )


def test_task_list_in_route_order_with_deadlines(db: Db) -> None:
    with db.factory() as session:
        nadia = make_engineer(session, "nadia", base="villeurbanne", max_open_jobs=5)
        grenoble = open_work_order(session, site="grenoble-plant")
        lyon = open_work_order(session, site="lyon-plant")
        unknown = open_work_order(session, site="nowhere")
        for wo in (grenoble, unknown, lyon):
            send(session, wo, nadia)
        tasks = task_list(session=session, engineer=nadia, locate=SCORING.locate)
        assert [t.work_order.number for t in tasks] == [
            lyon.number,
            grenoble.number,
            unknown.number,
        ]
        assert [t.distance_km for t in tasks] == [4.3, 94.3, None]
        assert tasks[0].work_order.on_site_by == lyon.on_site_by


@pytest.mark.postgres
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_two_dispatchers_cannot_overfill_one_engineer(db: Db) -> None:
    code = f"solo-{uuid.uuid4().hex[:6]}"
    with db.committed() as session:
        solo = make_engineer(session, code, max_open_jobs=1)
        orders = [open_work_order(session), open_work_order(session)]
        session.commit()
    go = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(work_order_id: uuid.UUID) -> None:
        go.wait(timeout=10)
        with db.committed() as session:
            try:
                flows.dispatch(
                    session=session,
                    work_order_id=work_order_id,
                    engineer_id=solo.id,
                    actor="racer",
                    now=NOW,
                    scoring=SCORING,
                )
                session.commit()
                outcomes.append("sent")
            except Conflict as error:
                session.rollback()
                outcomes.append(str(error).split(": ", 1)[1])

    threads = [threading.Thread(target=attempt, args=(wo.id,)) for wo in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert sorted(outcomes) == ["at capacity: open jobs 1 of 1", "sent"]
        with db.committed() as session:
            count = session.scalar(
                sa.select(sa.func.count())
                .select_from(Dispatch)
                .where(Dispatch.engineer_id == solo.id)
            )
            assert count == 1
    finally:
        with db.committed() as session:
            session.execute(sa.delete(Engineer).where(Engineer.id == solo.id))
            for wo in orders:
                session.delete(workorders.get_work_order(session=session, ref=wo.id))
            session.commit()


def test_site_records_give_the_location_and_business_time(db: Db) -> None:
    with db.factory() as session:
        customer = create_customer(session=session, name="Hôpital Nord", actor="t", now=NOW)
        create_site(
            session=session,
            customer_id=customer.id,
            data=SiteData(
                code="lyon-hospital",
                latitude=45.7640,
                longitude=4.8357,
                timezone="Europe/Paris",
                business_hours={"mon": [["08:00", "12:00"]], "tue": [["08:00", "12:00"]]},
            ),
        )
        near = make_engineer(session, "near", base="villeurbanne")
        wo = open_work_order(session, site="lyon-hospital")
        # Only 3 working hours left on Monday (09:00-12:00 local), then Tuesday morning: the
        # slack is counted in the site's hours, not on the wall clock.
        wo.on_site_by = NOW + timedelta(days=1, hours=2)  # Tuesday 11:00 local
        found = flows.suggest(session=session, work_order_id=wo.id, now=NOW)
        (top,) = found.ranking.suggestions
        assert top.engineer_id == near.id
        assert top.distance_km == 4.3
        assert top.slack is not None
        # 3 h Monday + 3 h Tuesday of business time, minus about 5 min of travel.
        assert timedelta(hours=5, minutes=54) < top.slack < timedelta(hours=5, minutes=56)
        unknown = open_work_order(session, site="not-registered")
        plain = flows.suggest(session=session, work_order_id=unknown.id, now=NOW)
        assert plain.ranking.notes == (
            "the site has no coordinates: travel is not counted for anyone",
        )
