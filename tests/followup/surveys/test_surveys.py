"""Surveys on SQLite and PostgreSQL: the one-time link, the score from the snapshotted weights,
and what each of the three outcomes sets in motion."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from customers.errors import InvalidInput
from followup.surveys import outcomes, service
from followup.surveys.models import (
    Escalation,
    FollowUpTask,
    PreferredCustomer,
    Survey,
    TaskKind,
)
from followup.surveys.scoring import Outcome
from followup.surveys.service import Answers, LinkRefused
from tests.customers.builders import ACTOR
from tests.followup.surveys.builders import repaired
from tests.workorders.dbkit import T0, Db
from workorders.models import WorkOrder
from workorders.requests.models import Channel, ServiceRequest

POLICY = outcomes.SurveyPolicy(follow_up_person="Lea Keller", service_manager="Max Brunner")
LATER = T0 + timedelta(days=2)


def answer(db: Db, token: str, answers: Answers) -> Survey:
    with db.factory() as session, session.begin():
        survey = service.record_answers(session=session, token=token, answers=answers, now=LATER)
        return outcomes.apply(session=session, survey=survey, policy=POLICY, now=LATER)


def sent(db: Db, **kw: object) -> tuple[int, str]:
    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        out = service.send_survey(
            session=session,
            actor=ACTOR,
            now=T0,
            work_order_id=done.work_order.id,
            contact_id=done.org.contact,
            **kw,  # type: ignore[arg-type]
        )
        return out.survey.id, out.token


def test_the_token_is_stored_only_hashed_and_the_weights_are_copied(db: Db) -> None:
    survey_id, token = sent(db)
    with db.factory() as session:
        survey = session.get(Survey, survey_id)
        assert survey is not None
        assert token not in survey.token_hash
        assert len(survey.token_hash) == 64
        assert survey.weights == {"overall": 40, "speed": 30, "competence": 20, "communication": 10}
        assert survey.answered_at is None
        assert survey.score is None
        assert survey.overall is None


def test_a_score_of_4_or_more_makes_a_preferred_customer(db: Db) -> None:
    survey_id, token = sent(db)
    survey = answer(db, token, Answers(overall=4, speed=4, competence=4, communication=4))
    assert (survey.score, survey.outcome) == (4.0, Outcome.PREFERRED)
    with db.factory() as session:
        row = session.get(PreferredCustomer, survey.customer_id)
        assert row is not None
        assert row.survey_id == survey_id
        assert (
            session.scalars(
                sa.select(FollowUpTask).where(FollowUpTask.survey_id == survey_id)
            ).all()
            == []
        )


def test_a_score_of_3_assigns_the_named_person_to_call(db: Db) -> None:
    survey_id, token = sent(db)
    # 0.4*3 + 0.3*4 + 0.2*2 + 0.1*3 = 3.1
    survey = answer(db, token, Answers(overall=3, speed=4, competence=2, communication=3))
    assert survey.outcome is Outcome.FOLLOW_UP
    assert survey.score == pytest.approx(3.1)
    assert survey.follow_up_person == "Lea Keller"
    with db.factory() as session:
        (task,) = session.scalars(
            sa.select(FollowUpTask).where(FollowUpTask.survey_id == survey_id)
        )
        assert (task.kind, task.assignee) == (TaskKind.SURVEY_CALL, "Lea Keller")
        assert task.due_at == LATER + timedelta(hours=24)
        assert session.scalars(sa.select(Escalation)).all() == []


def test_a_score_of_2_or_less_opens_a_review_a_second_visit_and_escalates(db: Db) -> None:
    survey_id, token = sent(db)
    survey = answer(
        db, token, Answers(overall=2, speed=1, competence=3, communication=2, comment="Still loud")
    )
    # 0.4*2 + 0.3*1 + 0.2*3 + 0.1*2 = 1.9
    assert survey.outcome is Outcome.REVIEW
    assert survey.score == pytest.approx(1.9)
    with db.factory() as session:
        (task,) = session.scalars(
            sa.select(FollowUpTask).where(FollowUpTask.survey_id == survey_id)
        )
        assert (task.kind, task.assignee) == (TaskKind.SURVEY_REVIEW, "Max Brunner")
        (escalation,) = session.scalars(sa.select(Escalation))
        assert (escalation.survey_id, escalation.recipient) == (survey_id, "Max Brunner")
        assert "1.9" in escalation.reason
        visit = session.get(WorkOrder, survey.second_visit_id)
        assert visit is not None
        assert visit.channel == "follow_up"
        assert visit.fault_code == outcomes.SECOND_VISIT_PROBLEM
        assert visit.id != survey.work_order_id  # a new work order, not the repaired one
        (request,) = session.scalars(
            sa.select(ServiceRequest).where(ServiceRequest.work_order_id == visit.id)
        )
        assert request.channel is Channel.FOLLOW_UP
        assert "Still loud" in request.description


def test_a_later_poor_survey_takes_the_customer_off_the_preferred_list(db: Db) -> None:
    _, token = sent(db)
    first = answer(db, token, Answers(overall=5, speed=5, competence=5, communication=5))
    with db.factory() as session, session.begin():
        again = service.send_survey(
            session=session, actor=ACTOR, now=T0, work_order_id=first.work_order_id
        )
    answer(db, again.token, Answers(overall=3, speed=3, competence=3, communication=3))
    with db.factory() as session:
        assert session.get(PreferredCustomer, first.customer_id) is None


def test_unanswered_questions_stay_null_and_drop_out_of_the_score(db: Db) -> None:
    _, token = sent(db)
    survey = answer(db, token, Answers(overall=5, speed=None, competence=None, communication=1))
    assert (survey.speed, survey.competence, survey.recommend) == (None, None, None)
    assert survey.score == pytest.approx((40 * 5 + 10 * 1) / 50)


def test_nothing_rated_decides_nothing(db: Db) -> None:
    survey_id, token = sent(db)
    survey = answer(db, token, Answers(recommend=9))
    assert survey.score is None
    assert survey.outcome is None
    assert survey.answered_at == LATER
    with db.factory() as session:
        assert (
            session.scalars(
                sa.select(FollowUpTask).where(FollowUpTask.survey_id == survey_id)
            ).all()
            == []
        )


def test_a_link_used_twice_is_refused_and_the_first_answers_stay(db: Db) -> None:
    survey_id, token = sent(db)
    answer(db, token, Answers(overall=5, speed=5, competence=5, communication=5))
    with pytest.raises(LinkRefused) as refused:
        answer(db, token, Answers(overall=1, speed=1, competence=1, communication=1))
    assert refused.value.reason == "used"
    with db.factory() as session:
        survey = session.get(Survey, survey_id)
        assert survey is not None
        assert survey.overall == 5
        assert survey.answered_at == LATER


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-1],  # cut short
        lambda t: t + "x",  # lengthened
        lambda t: "",  # empty
        lambda t: "../" + t[3:],  # not the token alphabet
    ],
)
def test_a_tampered_link_is_refused(db: Db, tamper: object) -> None:
    survey_id, token = sent(db)
    bad = tamper(token)  # type: ignore[operator]
    with pytest.raises(LinkRefused) as refused:
        answer(db, bad, Answers(overall=1))
    assert refused.value.reason == "unknown"
    with db.factory() as session:
        survey = session.get(Survey, survey_id)
        assert survey is not None
        assert survey.answered_at is None


def test_an_expired_link_is_refused(db: Db) -> None:
    _, token = sent(db, valid_for=timedelta(hours=1))
    with pytest.raises(LinkRefused) as refused:
        answer(db, token, Answers(overall=5))
    assert refused.value.reason == "expired"


def test_out_of_range_answers_are_refused_and_the_link_still_works(db: Db) -> None:
    _, token = sent(db)
    with pytest.raises(InvalidInput, match="overall"):
        answer(db, token, Answers(overall=6))
    with pytest.raises(InvalidInput, match="recommend"):
        answer(db, token, Answers(recommend=11))
    assert answer(db, token, Answers(overall=4)).outcome is Outcome.PREFERRED


def test_nps_over_answered_surveys(db: Db) -> None:
    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        tokens = [
            service.send_survey(
                session=session, actor=ACTOR, now=T0, work_order_id=done.work_order.id
            ).token
            for _ in range(5)
        ]
    for token, recommend in zip(tokens, [10, 9, 7, 3, None], strict=True):
        answer(db, token, Answers(overall=4, recommend=recommend))
    with db.factory() as session:
        result = service.nps(session=session)
    # 2 promoters, 1 passive, 1 detractor over 4 answered: 50 - 25 = 25
    assert (result.answered, result.promoters, result.passives, result.detractors) == (4, 2, 1, 1)
    assert result.score == 25


def test_a_survey_needs_a_customer_record_and_one_subject(db: Db) -> None:
    with db.factory() as session, session.begin():
        done = repaired(session, now=T0)
        with pytest.raises(InvalidInput, match="one work order"):
            service.send_survey(session=session, actor=ACTOR, now=T0)
        with pytest.raises(InvalidInput, match="100"):
            service.send_survey(
                session=session,
                actor=ACTOR,
                now=T0,
                work_order_id=done.work_order.id,
                weights={"overall": 50, "speed": 30, "competence": 20, "communication": 10},
            )
