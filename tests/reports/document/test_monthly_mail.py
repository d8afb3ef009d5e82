"""The month's report is decided once, made, and mailed to a real SMTP server once, however
often the job runs and however many schedulers run it; without an address it waits."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from notify.mail import SmtpMailer
from reports.document import flows, scheduled
from reports.document.config import ReportConfig
from reports.document.models import ReportRun
from reports.document.render import Written
from reports.kpis import Period
from tests.reports.document.builders import service_month
from tests.smtp import SmtpServer
from tests.workorders.dbkit import Db

FIRST = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
MANAGERS = ("boss@acme.test", "ops-lead@acme.test")


class Maker:
    """flows.make, counting how often a report was made."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.made: list[str] = []

    def __call__(self, period: Period, directory: Path, now: datetime) -> Written:
        self.made.append(period.label)
        return flows.make(
            session_factory=self.db.factory,
            period=period,
            directory=directory,
            now=now,
            config=ReportConfig(),
        )


def tick(
    db: Db, maker: Maker, smtp: SmtpServer, tmp_path: Path, now: datetime, **kw: object
) -> int:
    return scheduled.run(
        session_factory=db.factory,
        now=now,
        hour=6,
        directory=tmp_path / "reports",
        make=maker,
        mailer=SmtpMailer(smtp.url),
        sender="vigil@acme.test",
        addresses=kw.get("addresses", MANAGERS),  # type: ignore[arg-type]
    )


def test_the_months_report_is_mailed_once_on_the_first(
    db: Db, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    with db.factory() as session:
        service_month(session)
        session.commit()
    maker = Maker(db)
    # Before 06:00 on the 1st nothing is due.
    assert tick(db, maker, smtp_server, tmp_path, FIRST - timedelta(minutes=1)) == 0
    assert tick(db, maker, smtp_server, tmp_path, FIRST + timedelta(minutes=5)) == 1
    # The scheduler ticks on, and is restarted (a new run of the same job): nothing again.
    for minutes in (10, 15, 60 * 24, 60 * 24 * 20):
        assert tick(db, maker, smtp_server, tmp_path, FIRST + timedelta(minutes=minutes)) == 0
    [mail] = smtp_server.inbox.wait_for(1)
    assert smtp_server.inbox.wait_for(2, timeout=1) == [mail]
    assert maker.made == ["2026-11"]
    assert mail["Subject"] == "Vigil monthly service report 2026-11"
    assert mail["Message-ID"] == "<report-monthly-2026-11@vigil>"
    assert set(smtp_server.inbox.envelopes[0][1]) == set(MANAGERS)
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "- Failures caught before they happened: 3 (of 4 confirmed faults)" in text
    assert "- Net saving: EUR 26,600" in text
    parts = {p.get_filename(): p for p in mail.iter_attachments()}
    html = parts["report-2026-11.html"].get_content()
    assert "Monthly service report 2026-11" in html
    archive = zipfile.ZipFile(io.BytesIO(parts["report-2026-11-csv.zip"].get_content()))
    assert "01-kpis.csv" in archive.namelist()
    assert (tmp_path / "reports" / "2026-11" / "report.html").is_file()
    with db.factory() as session:
        run = session.scalars(sa.select(ReportRun)).one()
    assert (run.key, run.attempts, run.mailed_to, run.last_error) == (
        "monthly:2026-11", 1, list(MANAGERS), None,
    )  # fmt: skip
    # January's job makes December's report, once.
    assert tick(db, maker, smtp_server, tmp_path, datetime(2027, 1, 1, 7, tzinfo=UTC)) == 1
    assert maker.made == ["2026-11", "2026-12"]


def test_two_schedulers_decide_the_month_once(db: Db) -> None:
    period = scheduled.due_month(FIRST, hour=6)
    assert period is not None
    decisions = [
        scheduled.decide(session_factory=db.factory, period=period, now=FIRST) for _ in range(3)
    ]
    assert decisions == [True, False, False]


@pytest.mark.parametrize("error", ["no address", "relay down"])
def test_a_report_that_could_not_be_mailed_waits_and_goes_out_later(
    db: Db, smtp_server: SmtpServer, tmp_path: Path, error: str
) -> None:
    with db.factory() as session:
        service_month(session)
        session.commit()
    maker = Maker(db)
    now = FIRST + timedelta(minutes=1)
    if error == "no address":
        # However long it waits for an address (more ticks than mail attempts), it waits on.
        for hours in range(0, 48, 2):
            assert (
                tick(db, maker, smtp_server, tmp_path, now + timedelta(hours=hours), addresses=())
                == 0
            )
        now += timedelta(hours=46)
    else:
        down = scheduled.run(
            session_factory=db.factory,
            now=now,
            hour=6,
            directory=tmp_path / "reports",
            make=maker,
            mailer=SmtpMailer("smtp://127.0.0.1:9"),  # nothing listens on the discard port
            sender="vigil@acme.test",
            addresses=MANAGERS,
        )
        assert down == 0
    with db.factory() as session:
        run = session.scalars(sa.select(ReportRun)).one()
    assert run.mailed_at is None
    assert run.made_at is not None  # the report is made even so
    assert (run.last_error or "").startswith(
        "no service manager address" if error == "no address" else "SMTP relay"
    )
    # Within the retry delay nothing is tried; after it the mail goes out, the report not remade.
    assert tick(db, maker, smtp_server, tmp_path, now + timedelta(minutes=5)) == 0
    assert tick(db, maker, smtp_server, tmp_path, now + timedelta(minutes=11)) == 1
    assert maker.made == ["2026-11"]
    assert len(smtp_server.inbox.wait_for(1)) == 1
