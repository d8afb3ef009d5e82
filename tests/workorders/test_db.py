"""Engine helpers: real transactions on SQLite, busy retries, aware UTC times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from vigil.db import upgrade
from workorders.db import in_transaction, make_engine, session_factory
from workorders.models import Counter
from workorders.service import next_counter


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


def test_in_transaction_retries_when_sqlite_was_busy(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    calls: list[int] = []

    def work(session: Session) -> int:
        session.scalar(sa.select(Counter).where(Counter.name == "x"))  # takes a read snapshot
        if not calls:
            # Another connection writes meanwhile: this snapshot can no longer write.
            with sessions() as other:
                next_counter(session=other, name="x")
                other.commit()
        calls.append(1)
        return next_counter(session=session, name="x")

    assert in_transaction(sessions, work) == 2
    assert len(calls) == 2


def test_naive_datetimes_are_refused(tmp_path: Path) -> None:
    from alerts.service import list_silences

    sessions = _sessions(tmp_path)
    with sessions() as session, pytest.raises(sa.exc.StatementError, match="naive datetime"):
        list_silences(session=session, active_at=datetime(2026, 1, 1))
