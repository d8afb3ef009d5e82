"""Database fixtures and builders shared by the work-order and alert tests.

``db`` runs each test on SQLite and on the local PostgreSQL, with the schema made by the real
migrations. PostgreSQL tests run inside one transaction rolled back at the end (the code's own
commits become savepoints); SQLite tests get a copy of a migrated template file, since pysqlite
cannot nest the code's transactions inside an outer one reliably.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.base import Decision
from vigil.db import upgrade
from workorders.db import make_engine, session_factory
from workorders.sla import plans
from workorders.sla.models import SlaPlan

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
    # A test that committed on connections of its own (concurrency tests) leaves rows behind;
    # the next test on this worker's database must start from the migrated schema only.
    if has_rows(engine):
        empty_postgres(engine)


# Seeded by the migrations; everything else is test data.
_KEEP = {"sla_plans", "sla_targets", "alembic_version", "classification_rules"}


def _data_tables(engine: Engine) -> list[str]:
    return sorted(set(sa.inspect(engine).get_table_names()) - _KEEP)


def has_rows(engine: Engine) -> bool:
    """Whether any table but the migrations' seeds holds a row (one query, stops at the first)."""
    probes = " UNION ALL ".join(
        f'(SELECT 1 FROM "{name}" LIMIT 1)' for name in _data_tables(engine)
    )
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(f"SELECT EXISTS ({probes})")).scalar_one())


def empty_postgres(engine: Engine) -> None:
    """Every table back to what the migrations made: test data truncated, SLA plans re-seeded."""
    tables = ", ".join(f'"{name}"' for name in _data_tables(engine))
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            break
        except sa.exc.OperationalError as error:
            # A job thread of an app just stopped may still be finishing a read; TRUNCATE's
            # exclusive lock then deadlocks with it and PostgreSQL picks one side: try again.
            if "deadlock" not in str(error) or attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    # The SLA plans are seeded by the migrations: back to the seed (tests edit and add plans).
    with session_factory(engine)() as session:
        session.execute(sa.delete(SlaPlan).where(SlaPlan.is_default.is_(False)))
        default = plans.default_plan(session=session)
        plans.update_plan(
            session=session,
            plan_id=default.id,
            data=plans.default_plan_in(),
            actor="migration",
            now=datetime.now(UTC),
        )
        session.commit()


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
