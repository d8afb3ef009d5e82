"""Database fixtures and builders shared by the work-order and alert tests.

``db`` runs each test on SQLite and on the local PostgreSQL, with the schema made by the real
migrations. PostgreSQL tests run inside one transaction rolled back at the end (the code's own
commits become savepoints); SQLite tests get a copy of a migrated template file, since pysqlite
cannot nest the code's transactions inside an outer one reliably.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.base import Decision
from vigil.db import upgrade
from workorders.db import make_engine, session_factory

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@dataclass
class Db:
    backend: str
    # Sessions whose commits are undone after the test where the backend allows it.
    factory: sessionmaker[Session]
    # Sessions on connections of their own (real commits): for concurrency tests.
    committed: sessionmaker[Session]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("vigil-db") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        path = tmp_path / "vigil.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        factory = session_factory(engine)
        yield Db("sqlite", factory, factory)
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    yield Db("postgresql", factory, session_factory(engine))
    outer.rollback()
    connection.close()


def decision(
    *,
    asset: str = "pump-1",
    site: str = "plant-a",
    at: datetime = T0,
    score: float = 1.5,
    threshold: float = 1.0,
    anomalous: bool | None = None,
    fault_code: str = "mechanical",
    **extra: Any,
) -> Decision:
    """A scorer decision; anomalous defaults to score >= threshold."""
    return Decision(
        site=site,
        asset=asset,
        asset_type=extra.pop("asset_type", "pump"),
        at=at,
        fault_code=fault_code,
        score=score,
        threshold=threshold,
        is_anomalous=score >= threshold if anomalous is None else anomalous,
        detector=extra.pop("detector", "isolation_forest"),
        model_version=extra.pop("model_version", "pump-if-3"),
        contributions=extra.pop("contributions", {"vibration_rms": 0.7, "bearing_temp": 0.2}),
        **extra,
    )


def series(
    scores: list[float], *, start: datetime = T0, step: timedelta = timedelta(minutes=1), **kw: Any
) -> list[Decision]:
    return [decision(at=start + i * step, score=s, **kw) for i, s in enumerate(scores)]
