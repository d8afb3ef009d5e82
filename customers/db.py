"""The one SQLAlchemy ``Base`` every table of Vigil's database derives from, and engine helpers.

It lives in ``customers``, the lowest layer that has tables, so that every layer above may
declare tables on it without importing upward; ``workorders.db`` re-exports it for the modules
and migrations written before customers existed.

Nothing connects at import time: callers build an engine with :func:`make_engine` and a session
factory with :func:`session_factory`. The schema itself is created by the Alembic migrations in
``vigil/migrations`` (``vigil.db.upgrade``), never by ``Base.metadata.create_all`` in production.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Session, sessionmaker

T = TypeVar("T")

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite keeps no zone and hands back naive datetimes; comparing those with aware ones raises.
    Naive input is refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Vigil stores aware UTC times only")
        value = value.astimezone(UTC)
        # SQLite compares the stored text: keep one format without offset so ordering is right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls: type[enum.StrEnum], length: int = 16) -> sa.Enum:
    """An enum column stored as a plain string with a CHECK, so a new value needs no PostgreSQL
    enum type change."""
    return sa.Enum(
        cls,
        values_callable=lambda e: [m.value for m in e],
        native_enum=False,
        length=length,
        name=cls.__name__.lower(),
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime()}  # noqa: RUF012 - read once by SQLAlchemy


def make_engine(url: str, *, sqlite_busy_ms: int = 10_000, **kwargs: Any) -> Engine:
    """An engine for SQLite (demo) or PostgreSQL via psycopg 3 (production).

    On SQLite: WAL, foreign keys enforced, and real transactions that take the write lock when
    they begin (``BEGIN IMMEDIATE``), waiting up to ``sqlite_busy_ms`` for it:

    - pysqlite's own handling starts a transaction only before a write, so a SAVEPOINT opened
      first would start one itself and its RELEASE would commit everything; SQLAlchemy's
      documented recipe hands BEGIN to SQLAlchemy instead.
    - A deferred transaction that read first cannot upgrade to a writer while another
      connection writes: SQLite answers "database is locked" at once, without waiting. Taking
      the lock at BEGIN makes writers queue instead (each transaction here lasts milliseconds),
      and a transaction reads what the previous writer committed. SQLite has one writer at a
      time anyway; PostgreSQL is the production database.
    """
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_ms)}")
            if ":memory:" not in url and url != "sqlite://":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: sa.Connection) -> None:
            reading = connection.get_execution_options().get(READ_ONLY, False)
            connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    else:

        @event.listens_for(engine, "begin")
        def _read_only_begin(connection: sa.Connection) -> None:
            if connection.get_execution_options().get(READ_ONLY, False):
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


# The execution option of a connection whose transactions only read (see begin_read_only).
READ_ONLY = "vigil_read_only"


def begin_read_only(session: Session) -> None:
    """Begin ``session``'s transaction as one that only reads; call it before the session has
    done anything.

    On SQLite the transaction begins deferred (plain ``BEGIN``) instead of ``BEGIN IMMEDIATE``:
    it takes no lock, and in WAL mode it reads its snapshot while writers go on, so a long read
    (a KPI breakdown, a report) never holds them back. The catch that made every other
    transaction immediate (a deferred one cannot become a writer while another connection
    writes) does not apply to a transaction that never writes. On PostgreSQL it is ``READ
    ONLY``: a write in it fails.
    """
    if session.in_transaction():
        raise RuntimeError("begin_read_only: the session's transaction has already begun")
    session.connection(execution_options={READ_ONLY: True})


def is_busy(error: BaseException) -> bool:
    """SQLite gave up waiting for the write lock (another connection held it too long)."""
    return isinstance(error, sa.exc.OperationalError) and "database is locked" in str(error)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (flows return them to callers)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def in_transaction(
    session_factory: sessionmaker[Session], work: Callable[[Session], T], *, attempts: int = 3
) -> T:
    """Run ``work`` in one transaction, committed at the end; retried when SQLite was busy.

    For background jobs (alert evaluation, webhook delivery) that share a SQLite file with the
    API: when the write lock stayed taken past the busy timeout, the job runs again rather
    than failing its scheduler tick.
    """
    for attempt in range(1, attempts + 1):
        try:
            with session_factory() as session, session.begin():
                return work(session)
        except sa.exc.OperationalError as error:
            if not is_busy(error) or attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


class Outbox(Protocol):
    """A table of things to send (mails, reports) that senders claim one row at a time."""

    id: ClassVar[InstrumentedAttribute[int]]
    attempts: ClassVar[InstrumentedAttribute[int]]
    next_attempt_at: ClassVar[InstrumentedAttribute[datetime]]


def claim_lease(
    session: Session,
    table: type[Outbox],
    row_id: int,
    *,
    waiting: sa.ColumnElement[bool],
    now: datetime,
    lease: timedelta,
) -> bool:
    """Claim one row that is still ``waiting`` and due, for ``lease``, counting the attempt.

    A guarded UPDATE, committed by the caller before sending: of two senders only one gets the
    row, and a sender that dies holds it only until the lease ends.
    """
    claimed = session.execute(
        sa.update(table)
        .where(table.id == row_id, waiting, table.next_attempt_at <= now)
        .values(next_attempt_at=now + lease, attempts=table.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of an UPDATE
