"""``GET /work-orders/{ref}/notices`` and the survey invitation sent through the API: what the
customer was told, for the office; customer keys read their portal instead, and another
customer's key finds nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from api import keys
from api.roles import Role
from notify.mail import FileMailer
from tests.api.builders import auth
from tests.api.conftest import ApiWorld
from tests.customers.builders import build_org
from tests.workorders.dbkit import decision
from workorders import from_alerts
from workorders.notices import outbox


def test_the_notices_of_a_work_order_are_listed_to_whom_may_see_it(world: ApiWorld) -> None:
    now = datetime.now(UTC)
    with world.factory() as session:
        org = build_org(session, now=now)
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(site="plant-a", asset="pump-2", at=now), now=now
        ).work_order
        acme = keys.create_key(
            session=session, name="acme", role=Role.customer, customer_id=org.acme
        )
        beta = keys.create_key(
            session=session, name="beta", role=Role.customer, customer_id=org.beta
        )
        session.commit()
        number = wo.number
    path = f"/api/v1/work-orders/{number}/notices"
    listed = world.client.get(path, headers=auth(world.keys[Role.operator]))
    assert listed.status_code == 200, listed.text
    [notice] = listed.json()
    assert (notice["step"], notice["state"], notice["attempts"]) == ("received", "waiting", 0)
    # Customer keys read their portal, not this list; another customer learns nothing of it.
    assert world.client.get(path, headers=auth(acme.key)).status_code == 403
    assert world.client.get(path, headers=auth(beta.key)).status_code == 404
    assert (
        world.client.get(
            "/api/v1/work-orders/WO-1999-000001/notices", headers=auth(world.keys[Role.operator])
        ).status_code
        == 404
    )


def test_a_survey_sent_through_the_api_mails_its_link_once(world: ApiWorld, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with world.factory() as session:
        build_org(session, now=now)
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(site="plant-a", asset="pump-2", at=now), now=now
        ).work_order
        session.commit()
        wo_id, number = str(wo.id), wo.number
    operator = auth(world.keys[Role.operator])
    sent = world.client.post("/api/v1/surveys", json={"work_order_id": wo_id}, headers=operator)
    assert sent.status_code == 201, sent.text
    quiet = {"work_order_id": wo_id, "mail": False}
    assert world.client.post("/api/v1/surveys", json=quiet, headers=operator).status_code == 201
    steps = world.client.get(f"/api/v1/work-orders/{number}/notices", headers=operator).json()
    assert [n["step"] for n in steps] == ["received", "survey"]
    outbox.send_waiting(
        session_factory=world.factory,
        sending=outbox.Sending(FileMailer(tmp_path / "mail"), "vigil@service.example"),
        now=now + timedelta(minutes=1),
    )
    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (tmp_path / "mail").glob("*.eml")
    ]
    [survey] = [m for m in mails if m["X-Vigil-Notice"] == "survey"]
    assert survey["To"] == "ada@acme.example"
    text = survey.get_body(("plain",))
    assert isinstance(text, EmailMessage)
    assert sent.json()["link"] in str(text.get_content())
