"""Engine helpers: real transactions on SQLite, busy retries, aware UTC times."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from vigil.db import upgrade
from workorders.counters import next_counter
from workorders.db import in_transaction, make_engine, session_factory
from workorders.models import Counter


def _sessions(tmp_path: Path) -> sa.orm.sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / 'v.db'}"
    upgrade(url)
    return session_factory(make_engine(url))


def test_sqlite_savepoint_release_does_not_commit_the_outer_transaction(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    with sessions() as session:
        with session.begin_nested():
            next_counter(session=session, name="x")
        session.rollback()
    with sessions() as session:
        assert session.get(Counter, "x") is None


def test_a_reader_turning_writer_waits_for_the_other_writer(tmp_path: Path) -> None:
    # Deferred SQLite transactions would fail at once here ("database is locked").
    sessions = _sessions(tmp_path)
    holding = threading.Event()

    def slow_writer() -> None:
        with sessions() as session:
            next_counter(session=session, name="x")
            holding.set()
            time.sleep(0.3)
            session.commit()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert holding.wait(timeout=10)
    with sessions() as session:
        assert session.get(Counter, "x") is not None  # sees the other's commit: it waited
        assert next_counter(session=session, name="x") == 2
        session.commit()
    writer.join(timeout=10)


def test_in_transaction_retries_when_the_lock_wait_timed_out(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    failures = [
        sqlite3.OperationalError("database is locked"),  # the lock wait timed out: retried
        sqlite3.OperationalError("disk I/O error"),  # anything else: raised
    ]
    calls: list[int] = []

    def work(session: Session) -> int:
        calls.append(1)
        if len(calls) in (1, 3):
            raise sa.exc.OperationalError("UPDATE counters ...", {}, failures.pop(0))
        return next_counter(session=session, name="x")

    assert in_transaction(sessions, work) == 1
    assert len(calls) == 2
    with pytest.raises(sa.exc.OperationalError, match="disk I/O"):
        in_transaction(sessions, work)
    assert len(calls) == 3


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    from alerts.service import list_silences

    sessions = _sessions(tmp_path)
    with sessions() as session, pytest.raises(sa.exc.StatementError, match="naive datetime"):
        list_silences(session=session, active_at=datetime(2026, 1, 1))
