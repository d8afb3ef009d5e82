"""`vigil serve` makes the month's report and mails it to a real SMTP server once, and a restart
of the service (SIGTERM, started again, ticking on) mails nothing again; on SQLite and
PostgreSQL.

The job runs from VIGIL_MONTHLY_REPORT_HOUR on the 1st for the rest of the month (hour 0 here,
so the month just finished is due whatever today's date); the scheduler's decision on exact
dates is tested with a clock in test_monthly_mail.py.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from reports.document import scheduled
from reports.document.models import ReportRun
from tests.conftest import POSTGRES_ADMIN_URL, unavailable
from tests.reports.document.builders import service_month
from tests.smtp import SmtpServer
from tests.vigil.test_escalation_serve import Serve
from tests.workorders.dbkit import BACKENDS
from vigil import db
from workorders.db import make_engine, session_factory

pytestmark = pytest.mark.slow


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database the service owns (its own commits, no rollback around it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vigil.db'}"
        return
    name = f"vigil_report_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {error.orig}")
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_serve_mails_the_months_report_once_across_a_restart(
    tmp_path: Path, smtp_server: SmtpServer, database_url: str
) -> None:
    db.upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    with sessions() as session:
        service_month(session)
        session.commit()
    due = scheduled.due_month(datetime.now(UTC), hour=0)
    assert due is not None
    data = tmp_path / "data"
    env = {
        **os.environ,
        "VIGIL_DATA_DIR": str(data),
        "VIGIL_DATABASE_URL": database_url,
        "VIGIL_SESSION_SECRET": "s" * 40,
        "VIGIL_API_PORT": "0",
        "VIGIL_SMTP_URL": smtp_server.url,
        "VIGIL_MAIL_FROM": "vigil@acme.test",
        "VIGIL_SERVICE_MANAGER_EMAILS": "boss@acme.test",
        "VIGIL_MONTHLY_REPORT_HOUR": "0",
        "VIGIL_REPORT_POLL_S": "0.5",
        "VIGIL_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "serve.log"
    for start in range(2):  # started, then restarted
        serve = Serve(env, log)
        try:
            # Generous: the test machine is shared, and `vigil serve` imports a lot at start.
            serve.wait_serving(timeout=240)
            mails = smtp_server.inbox.wait_for(1, timeout=180)
            time.sleep(3)  # six more ticks of the job
        finally:
            serve.stop()
        mails = smtp_server.inbox.wait_for(99, timeout=0)
        assert len(mails) == 1, (start, [m["Subject"] for m in mails], log.read_text())
    [mail] = mails
    assert mail["Subject"] == f"Vigil monthly service report {due.label}"
    assert mail["Message-ID"] == f"<report-monthly-{due.label}@vigil>"
    assert mail["To"] == "boss@acme.test"
    assert (data / "reports" / due.label / "report.html").is_file()
    with sessions() as session:
        run = session.scalars(sa.select(ReportRun)).one()
        assert (run.key, run.attempts) == (f"monthly:{due.label}", 1)
    engine.dispose()
