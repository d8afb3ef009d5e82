"""The customer hears of a work order's main steps by mail, once each, in their language, through a
real SMTP server (aiosmtpd), on SQLite and PostgreSQL.

The steps are reached the way the product reaches them: a hotline request opens the work order,
the dispatcher sends an engineer (the arrival window comes from the dispatch's travel estimate),
the resolution is recorded, a survey is sent with its one-time link.
"""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from customers import service as customers
from field import flows
from followup.surveys import service as surveys
from notify.mail import FileMailer, SmtpMailer
from notify.templates import TemplateError, render
from tests.customers.builders import ACTOR, Org, build_org
from tests.field.builders import make_engineer
from tests.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.workorders.dbkit import T0, Db, decision
from vigil.embedded import free_port
from workorders import from_alerts
from workorders import service as wo_service
from workorders.models import ResolutionCode
from workorders.notices import outbox
from workorders.notices import service as notices
from workorders.notices.models import CustomerNotice, State, Step
from workorders.requests.models import Category, Channel
from workorders.requests.service import RequestData, raise_request

SENDER = "service@vigil.example"
LINK = "https://vigil.example/survey/"


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def chinese_contact(session: sa.orm.Session, org: Org) -> int:
    return customers.add_contact(
        session=session,
        customer_id=org.acme,
        contact=customers.ContactData(
            name="王芳", email="wang.fang@acme.example", language="zh-CN", phone=None
        ),
    ).id


def work_through(db: Db) -> tuple[Org, str]:
    """A hotline request from the Chinese-speaking contact, dispatched, resolved, surveyed."""
    with db.factory() as session, session.begin():
        org = build_org(session, now=T0)
        contact = chinese_contact(session, org)
        wo = raise_request(
            session=session,
            data=RequestData(
                channel=Channel.HOTLINE,
                category=Category.TROUBLESHOOTING,
                description="Pump 1 vibrates",
                asset_id=org.pump_1,
                fault_code="mechanical",
                contact_id=contact,
            ),
            actor=ACTOR,
            now=T0,
        ).work_order
        engineer = make_engineer(session, "li.wei", name="Li Wei", base="grenoble")
        engineer.working_hours = {
            d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        }
        session.flush()
        flows.dispatch(
            session=session, work_order_id=wo.id, engineer_id=engineer.id, actor=ACTOR, now=T0
        )
        wo_service.record_resolution(
            session=session,
            work_order_id=wo.id,
            code=ResolutionCode.CONFIRMED_FAULT,
            no_acceptance_reason="customer not on site (test)",
            expected_version=None,
            actor=ACTOR,
            now=T0 + timedelta(hours=6),
        )
        surveys.send_survey(
            session=session,
            actor=ACTOR,
            now=T0 + timedelta(hours=7),
            work_order_id=wo.id,
            contact_id=contact,
            link_for=lambda token: LINK + token,
        )
        return org, wo.number


def send(db: Db, mailer: SmtpMailer | FileMailer, hours: float = 8) -> int:
    return outbox.send_waiting(
        session_factory=db.factory,
        sending=outbox.Sending(mailer, SENDER),
        now=T0 + timedelta(hours=hours),
    )


def test_each_step_reaches_a_chinese_contact_once_in_chinese(
    db: Db,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    _, number = work_through(db)
    assert send(db, SmtpMailer(smtp_server.url)) == 4
    mails = smtp_server.inbox.wait_for(4)
    assert [m["X-Vigil-Notice"] for m in mails] == ["received", "on_the_way", "done", "survey"]
    assert {m["To"] for m in mails} == {"wang.fang@acme.example"}
    assert {m["Content-Language"] for m in mails} == {"zh"}
    assert len({m["Message-ID"] for m in mails}) == 4
    received, on_the_way, done, survey = mails
    assert received["Subject"] == f"[{number}] 我们已收到您关于设备 pump-1 的服务请求"
    assert "王芳，您好" in text_of(received)
    # Grenoble to Zurich at 50 km/h from 08:00 UTC: the window is in the site's time (Zurich).
    body = text_of(on_the_way)
    assert on_the_way["Subject"] == f"[{number}] 工程师 Li Wei 正在前往ACME pumping station"
    assert "预计到达时间：2026-03-02 " in body
    assert "（Europe/Zurich 时间）" in body
    assert done["Subject"] == f"[{number}] 设备 pump-1 的维修已完成"
    survey_text = text_of(survey)
    assert LINK in survey_text
    assert "有效期至 2026-03-16" in survey_text
    html = survey.get_body(("html",))
    assert isinstance(html, EmailMessage)
    assert f'href="{LINK}' in str(html.get_content())

    # A restart: a new mailer finds nothing to send, and reaching a step again notes nothing.
    assert send(db, SmtpMailer(smtp_server.url), hours=9) == 0
    with db.factory() as session, session.begin():
        wo = wo_service.get_work_order(session=session, ref=number)
        assert notices.received(session=session, wo=wo, now=T0) is None
        assert notices.done(session=session, wo=wo, now=T0) is None
        rows = session.scalars(sa.select(CustomerNotice).order_by(CustomerNotice.id)).all()
        assert [(r.step, r.state, r.language) for r in rows] == [
            (Step.RECEIVED, State.SENT, "zh"),
            (Step.ON_THE_WAY, State.SENT, "zh"),
            (Step.DONE, State.SENT, "zh"),
            (Step.SURVEY, State.SENT, "zh"),
        ]
        assert "link" not in rows[3].facts, "the one-time link is not kept once mailed"
    assert len(smtp_server.inbox.wait_for(5, timeout=1)) == 4


def test_an_alert_tells_the_first_contact_in_english_when_their_language_has_no_template(
    db: Db, tmp_path: Path
) -> None:
    with db.factory() as session, session.begin():
        build_org(session, now=T0)  # ACME's contact speaks de-CH: no German template yet
        from_alerts.open_for_alert(
            session=session, decision=decision(site="plant-a", asset="pump-2", at=T0), now=T0
        )
    assert send(db, FileMailer(tmp_path)) == 1
    (path,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "ada@acme.example"
    assert message["Subject"].endswith("We are looking into pump-2 at ACME pumping station")
    assert "Our monitoring noticed" in text_of(message)
    assert "Dear Ada Meier," in text_of(message)


def test_a_relay_that_is_down_delays_the_notice_and_keeps_the_work_order(
    db: Db,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    with db.factory() as session, session.begin():
        org = build_org(session, now=T0)
        raise_request(
            session=session,
            data=RequestData(
                channel=Channel.PORTAL,
                category=Category.TROUBLESHOOTING,
                description="Pump 2 leaks",
                asset_id=org.pump_2,
                contact_email="night.shift@acme.example",
            ),
            actor=ACTOR,
            now=T0,
        )
    down = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", timeout_s=2)
    assert send(db, down, hours=0) == 0
    with db.factory() as session:
        row = session.scalars(sa.select(CustomerNotice)).one()
        assert row.state is State.WAITING
        assert row.attempts == 1
        assert "SMTP relay 127.0.0.1" in (row.last_error or "")
        assert row.next_attempt_at > T0
    assert send(db, SmtpMailer(smtp_server.url), hours=0) == 0, "not before its retry time"
    assert send(db, SmtpMailer(smtp_server.url), hours=1) == 1
    (mail,) = smtp_server.inbox.wait_for(1)
    # The request's typed address, not a known contact: English, no name.
    assert mail["To"] == "night.shift@acme.example"
    assert "Hello," in text_of(mail)


def test_nobody_to_tell_is_recorded_not_dropped(db: Db, tmp_path: Path) -> None:
    with db.factory() as session, session.begin():
        build_org(session, now=T0)  # Beta Foods has no contact
        from_alerts.open_for_alert(
            session=session, decision=decision(site="plant-b", asset="fan-9", at=T0), now=T0
        )
    assert send(db, FileMailer(tmp_path / "mail")) == 0
    assert not (tmp_path / "mail").exists()
    with db.factory() as session:
        row = session.scalars(sa.select(CustomerNotice)).one()
        assert row.state is State.SKIPPED
        assert row.last_error == "no contact e-mail: give the customer's contact an e-mail address"


def test_a_template_without_its_subject_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "step.en.txt").write_text("Hello {{ name }}\n")
    with pytest.raises(TemplateError, match="Subject"):
        render(tmp_path, "step", language="en", context={"name": "x"})
    (tmp_path / "step.en.txt").write_text("Subject: Hi {{ name }}\n\nBody {{ missing }}\n")
    with pytest.raises(TemplateError, match="missing"):
        render(tmp_path, "step", language="fr", context={"name": "x"})


@pytest.mark.parametrize("step", list(Step))
def test_every_step_has_its_template_in_english_and_chinese(step: Step) -> None:
    from notify.templates import languages

    assert languages(notices.TEMPLATES, step.value) == ["en", "zh"]
