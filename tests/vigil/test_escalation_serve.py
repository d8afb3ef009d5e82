"""Escalation mails from `vigil serve` reach a real SMTP server, one per level, and none is sent
again after the service restarts (run as a subprocess, stopped with SIGTERM, started again)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.smtp import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.workorders.dbkit import decision
from vigil import db
from workorders import from_alerts
from workorders.db import make_engine, session_factory
from workorders.models import Priority
from workorders.sla import plans
from workorders.sla.models import EscalationRole

pytestmark = pytest.mark.slow


class Serve:
    """`vigil serve` as a child process whose output is collected."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vigil", "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            with self.log.open("a") as f:
                f.write(line)

    def wait_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("Vigil serving on" in line for line in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        # The exit code tells a crash (1), a kill from outside (-9, -15) and a slow start (None).
        raise AssertionError(
            f"vigil serve did not start within {timeout:.0f} s (exit code {self.proc.poll()}):\n"
            + "".join(self.lines)
        )

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.reader.join(5)


def _open(url: str, asset: str, age: timedelta) -> str:
    sessions = session_factory(make_engine(url))
    at = datetime.now(UTC) - age
    with sessions() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset=asset, at=at), now=at
        )
        session.commit()
        assert wo.work_order.priority is Priority.NORMAL
        return wo.work_order.number


def test_escalation_mails_once_per_level_across_a_restart(
    tmp_path: Path,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'vigil.db'}"
    db.upgrade(url)
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        # Normal work, standard tier: 1 minute to respond, around the clock; every level goes to
        # the dispatcher only, so each level is exactly one mail.
        default = plans.default_plan(session=session)
        data_in = plans.read(default)
        for cell in data_in.targets:
            if cell.priority is Priority.NORMAL:
                cell.respond_min = 1
        body = data_in.model_dump(exclude={"id", "is_default", "updated_at", "updated_by"})
        body["around_the_clock"] = ["urgent", "normal"]
        body["escalation"] = {level: [EscalationRole.DISPATCHER] for level in ("50", "75", "100")}
        plans.update_plan(
            session=session,
            plan_id=default.id,
            data=type(data_in).__base__.model_validate(body),  # type: ignore[union-attr]
            actor="test",
            now=datetime.now(UTC),
        )
        session.commit()
    # 35 s of its minute gone: 50 % is due at once, 75 % and 100 % come while serving.
    first = _open(url, "pump-1", timedelta(seconds=35))
    env = {
        **os.environ,
        "VIGIL_DATA_DIR": str(data),
        "VIGIL_DATABASE_URL": url,
        "VIGIL_SESSION_SECRET": "s" * 40,
        "VIGIL_API_PORT": "0",
        "VIGIL_SMTP_URL": smtp_server.url,
        "VIGIL_MAIL_FROM": "vigil@acme.test",
        "VIGIL_DISPATCHER_EMAILS": "dispatch@acme.test",
        "VIGIL_ESCALATION_POLL_S": "0.5",
        "VIGIL_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "serve.log"
    serve = Serve(env, log)
    try:
        serve.wait_serving()
        mails = smtp_server.inbox.wait_for(3, timeout=90)
    finally:
        serve.stop()
    subjects = [m["Subject"] for m in mails]
    assert len(mails) == 3, subjects
    assert all(first in s for s in subjects)
    assert ["50 %" in s for s in subjects] == [True, False, False]
    assert ["75 %" in s for s in subjects] == [False, True, False]
    assert "OVERDUE" in subjects[2]

    # Restarted: the fired levels stay fired; a second work order shows the job does run.
    second = _open(url, "pump-2", timedelta(seconds=35))
    serve = Serve(env, log)
    try:
        serve.wait_serving()
        mails = smtp_server.inbox.wait_for(4, timeout=60)
        time.sleep(3)  # several more ticks: nothing may repeat
        mails = smtp_server.inbox.wait_for(99, timeout=0)
    finally:
        serve.stop()
    subjects = [m["Subject"] for m in mails]
    sent = [
        (number, level)
        for s in subjects
        for number in (first, second)
        if number in s
        for level in ("50 %", "75 %", "OVERDUE")
        if level in s
    ]
    assert len(sent) == len(set(sent)) == len(subjects), subjects  # nothing twice
    assert [level for number, level in sent if number == first] == ["50 %", "75 %", "OVERDUE"]
    assert (second, "50 %") in sent
    assert {m["To"] for m in mails} == {"dispatch@acme.test"}
