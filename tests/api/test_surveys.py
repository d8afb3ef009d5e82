"""The survey link and the follow-up API, on SQLite and PostgreSQL: the customer's page needs no
account, shows the form on GET without writing, records once on POST, and refuses a used,
expired or tampered link with a clear page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.roles import Role
from followup.surveys.models import Survey
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.followup.surveys.builders import repaired

FULL_MARKS = {"overall": "5", "speed": "5", "competence": "5", "communication": "5"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def send(world: ApiWorld) -> tuple[str, str]:
    """A repaired work order (resolved now) and its survey's link path; (work order id, path)."""
    with world.factory() as session, session.begin():
        wo_id = str(repaired(session, now=datetime.now(UTC) - timedelta(hours=1)).work_order.id)
    response = world.client.post(
        "/api/v1/surveys", json={"work_order_id": wo_id}, headers=auth(world.keys[Role.operator])
    )
    assert response.status_code == 201, response.text
    link = response.json()["link"]
    assert link.startswith("http://testserver/survey/")
    return wo_id, link.removeprefix("http://testserver")


def test_only_service_roles_send_surveys(world: ApiWorld) -> None:
    with world.factory() as session, session.begin():
        wo_id = str(repaired(session, now=datetime.now(UTC)).work_order.id)
    refused = world.client.post(
        "/api/v1/surveys", json={"work_order_id": wo_id}, headers=auth(world.keys[Role.viewer])
    )
    assert refused.status_code == 403
    assert world.client.post("/api/v1/surveys", json={"work_order_id": wo_id}).status_code == 401


def test_the_link_shows_the_form_without_an_account_and_get_writes_nothing(world: ApiWorld) -> None:
    _, path = send(world)
    for _ in range(2):  # a mail scanner following the link, then the customer
        page = world.client.get(path)
        assert page.status_code == 200
        assert 'name="overall"' in page.text
        assert 'name="recommend"' in page.text
        assert "<script" not in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
    with world.factory() as session:
        assert session.scalars(sa.select(Survey.answered_at)).one() is None


def test_a_link_used_twice_is_refused(world: ApiWorld) -> None:
    _, path = send(world)
    first = world.client.post(path, data=FULL_MARKS | {"recommend": "10"}, headers=FORM)
    assert first.status_code == 200
    assert 'id="survey-thanks"' in first.text
    second = world.client.post(path, data=dict.fromkeys(FULL_MARKS, "1"), headers=FORM)
    assert second.status_code == 410
    assert 'data-reason="used"' in second.text
    assert world.client.get(path).status_code == 410
    surveys = world.client.get("/api/v1/surveys", headers=auth(world.keys[Role.viewer])).json()
    assert [(s["overall"], s["score"], s["outcome"]) for s in surveys] == [(5, 5.0, "preferred")]
    preferred = world.client.get(
        "/api/v1/surveys/preferred-customers", headers=auth(world.keys[Role.viewer])
    ).json()
    assert [p["customer"] for p in preferred] == ["ACME Water"]


def test_a_tampered_link_is_refused_and_nothing_is_written(world: ApiWorld) -> None:
    _, path = send(world)
    token = path.removeprefix("/survey/")
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token[:-2], token + "Z", "x"):
        assert world.client.get(f"/survey/{bad}").status_code == 404
        posted = world.client.post(f"/survey/{bad}", data=FULL_MARKS, headers=FORM)
        assert posted.status_code == 404
        assert 'data-reason="unknown"' in posted.text
    with world.factory() as session:
        assert session.scalars(sa.select(Survey.answered_at)).one() is None
    assert world.client.post(path, data=FULL_MARKS, headers=FORM).status_code == 200


def test_an_expired_link_is_refused(world: ApiWorld) -> None:
    _, path = send(world)
    with world.factory() as session, session.begin():
        survey = session.scalars(sa.select(Survey)).one()
        survey.sent_at -= timedelta(days=30)
        survey.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    page = world.client.get(path)
    assert page.status_code == 410
    assert "expired" in page.text
    assert world.client.post(path, data=FULL_MARKS, headers=FORM).status_code == 410


def test_a_wrong_answer_shows_the_form_again_with_the_reason(world: ApiWorld) -> None:
    _, path = send(world)
    bad = world.client.post(path, data=FULL_MARKS | {"overall": "9"}, headers=FORM)
    assert bad.status_code == 422
    assert "overall" in bad.text
    assert 'name="overall"' in bad.text
    assert world.client.post(path, data=FULL_MARKS, headers=FORM).status_code == 200


def test_a_poor_survey_reaches_the_service_manager_with_a_second_visit(world: ApiWorld) -> None:
    _, path = send(world)
    answers = {"overall": "1", "speed": "2", "competence": "2", "communication": "1"}
    assert (
        world.client.post(path, data=answers | {"recommend": "2"}, headers=FORM).status_code == 200
    )
    viewer = auth(world.keys[Role.viewer])
    (survey,) = world.client.get("/api/v1/surveys", headers=viewer).json()
    assert survey["outcome"] == "review"
    assert survey["score"] == 1.5
    visit = world.client.get(f"/api/v1/work-orders/{survey['second_visit_id']}", headers=viewer)
    assert visit.status_code == 200
    assert visit.json()["origin"]["channel"] == "follow_up"
    (escalation,) = world.client.get("/api/v1/surveys/escalations", headers=viewer).json()
    assert escalation["recipient"] == "service manager"
    tasks = world.client.get("/api/v1/follow-ups", headers=viewer).json()
    assert {t["kind"] for t in tasks} == {"survey_review"}
    ack = world.client.post(
        f"/api/v1/surveys/escalations/{escalation['id']}/acknowledge",
        headers=auth(world.keys[Role.operator]),
    )
    assert ack.status_code == 200
    assert ack.json()["acknowledged_at"] is not None
    assert world.client.get("/api/v1/surveys/escalations", headers=viewer).json() == []
    nps = world.client.get("/api/v1/surveys/nps", headers=viewer).json()
    assert nps == {"answered": 1, "promoters": 0, "passives": 0, "detractors": 1, "nps": -100.0}


def test_follow_up_list_overdue_and_contacts(world: ApiWorld) -> None:
    from followup.surveys import tasks

    with world.factory() as session, session.begin():
        repaired(session, now=datetime.now(UTC) - timedelta(hours=30))
        tasks.generate(session=session, now=datetime.now(UTC))
    viewer, operator = auth(world.keys[Role.viewer]), auth(world.keys[Role.operator])
    (task,) = world.client.get("/api/v1/follow-ups/overdue", headers=viewer).json()
    assert task["kind"] == "after_repair"
    assert task["overdue"] is True
    contact = {
        "at": datetime.now(UTC).isoformat(),
        "channel": "phone",
        "made_by": "Lea Keller",
        "summary": "Customer confirms the pump runs quietly.",
        "done": True,
    }
    url = f"/api/v1/follow-ups/{task['id']}/contacts"
    assert world.client.post(url, json=contact, headers=viewer).status_code == 403
    made = world.client.post(url, json=contact, headers=operator)
    assert made.status_code == 201, made.text
    assert [c["made_by"] for c in world.client.get(url, headers=viewer).json()] == ["Lea Keller"]
    assert world.client.get("/api/v1/follow-ups/overdue", headers=viewer).json() == []
    bad = world.client.post(url, json=contact | {"channel": "pigeon"}, headers=operator)
    assert bad.status_code == 422
    naive = world.client.post(url, json=contact | {"at": "2026-03-02T10:00:00"}, headers=operator)
    assert naive.status_code == 422
    assert world.client.get("/api/v1/follow-ups/999999", headers=viewer).status_code == 404
