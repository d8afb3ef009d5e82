"""Database schema management: Alembic configured in code (no alembic.ini).

``upgrade(database_url)`` brings a SQLite or PostgreSQL database to the latest schema; ``vigil db
upgrade`` and ``vigil serve`` call it. The migration scripts live in ``vigil/migrations`` because
this top package may import every layer's tables.

Adding a table (e.g. the API's keys and sessions):

1. Declare it on ``workorders.db.Base`` in your package's ``models.py``.
2. Add that module to ``MODEL_MODULES`` below, so Alembic's autogenerate sees it.
3. Write a revision whose ``down_revision`` is the current head::

       .venv/bin/python -c "from vigil.db import revision; revision('api keys and sessions')"

   That autogenerates ``vigil/migrations/versions/<rev>_<slug>.py`` against a scratch SQLite
   database at head. Read it, keep it portable (SQLite and PostgreSQL), and run the tests:
   ``tests/workorders/test_migrations.py`` checks that the migrated schema equals the models on
   both backends.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Every module that declares tables. Alembic's env.py imports them before comparing metadata.
MODEL_MODULES = [
    "customers.models",
    "workorders.models",
    "workorders.requests.models",
    "workorders.webhooks.models",
    "workorders.connectors.models",
    "workorders.sla.models",
    "workorders.notices.models",
    "alerts.models",
    "api.models",
    "field.models",
    "field.stock.models",
    "field.visits.models",
    "knowledge.models",
    "followup.models",
    "followup.surveys.models",
    "planning.models",
    "reports.document.models",
    "reports.value.models",
]


# What migrations make that no model declares: each database's own full-text index of the
# knowledge base (an FTS5 table with its shadow tables on SQLite, an expression index on
# PostgreSQL). Autogenerate and the schema test leave them alone.
UNMODELLED_TABLE_PREFIXES = ("kb_articles_fts",)
UNMODELLED_INDEXES = frozenset({"ix_kb_articles_search"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's ``include_object`` hook: compare everything but the unmodelled objects."""
    if type_ == "table" and reflected and compare_to is None:
        return not (name or "").startswith(UNMODELLED_TABLE_PREFIXES)
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def metadata() -> MetaData:
    """The metadata of every table, after importing the model modules."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from workorders.db import Base

    return Base.metadata


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str | None = None, *, connection: Connection | None = None) -> None:
    """Migrate the database to the latest revision (idempotent).

    A SQLite file's directory is created if missing (first run of the demo).
    """
    if database_url is not None:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url, connection), "head")


def open_sessions(database_url: str) -> sessionmaker[Session]:
    """Upgrade the schema, then a session factory on it (for commands and scripts)."""
    from workorders.db import make_engine, session_factory

    upgrade(database_url)
    return session_factory(make_engine(database_url))


def current(database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from workorders.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def revision(message: str) -> None:
    """Autogenerate a new revision against a scratch SQLite database at head (developer tool)."""
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/scratch.db"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)
