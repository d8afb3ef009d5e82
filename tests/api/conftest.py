from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import api.models  # noqa: F401  (registers the api_keys table on the shared metadata)
from api.app import create_app
from api.config import ApiConfig
from api.events import EventBus
from api.roles import Role
from ingest.quarantine import Quarantine
from ingest.store.sqlite import SqliteStore
from models.registry import Registry
from tests.api.builders import Fleet, api_config, make_keys
from tests.workorders.dbkit import (  # noqa: F401
    BACKENDS,
    empty_postgres,
    pg_engine,
    sqlite_template,
)
from vigil.db import upgrade
from workorders.db import make_engine, session_factory


@dataclass
class ApiWorld:
    app: FastAPI
    client: TestClient
    config: ApiConfig
    factory: sessionmaker[Session]
    store: SqliteStore
    quarantine: Quarantine
    events: EventBus
    keys: dict[Role, str]
    fleet: Fleet


def build_world(
    tmp_path: Path, *, factory: sessionmaker[Session] | None = None, **config_overrides: object
) -> tuple[FastAPI, dict[str, object]]:
    """The app on SQLite files in ``tmp_path``, or on the database of ``factory``."""
    if factory is None:
        # The migrations, not create_all: they also make what no model declares (the
        # knowledge base's full-text index).
        url = f"sqlite:///{tmp_path / 'vigil.db'}"
        upgrade(url)
        factory = session_factory(make_engine(url))
    store = SqliteStore(tmp_path / "telemetry.db")
    quarantine = Quarantine(tmp_path / "quarantine.db")
    events = EventBus()
    config = api_config(tmp_path, **config_overrides)
    app = create_app(
        config=config,
        session_factory=factory,
        store=store,
        quarantine=quarantine,
        registry=Registry(tmp_path / "models"),
        events=events,
        sse_heartbeat_s=0.5,
    )
    parts: dict[str, object] = {
        "config": config,
        "factory": factory,
        "store": store,
        "quarantine": quarantine,
        "events": events,
    }
    return app, parts


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """The work-order database, migrated: a SQLite file, or the local PostgreSQL (emptied after;
    the app runs threads of its own, so it gets real commits, not a rolled-back transaction)."""
    if request.param == "sqlite":
        path = tmp_path / "vigil.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield session_factory(engine)
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    empty_postgres(engine)
    yield session_factory(engine)
    empty_postgres(engine)


@pytest.fixture
def world(tmp_path: Path, database: sessionmaker[Session]) -> Iterator[ApiWorld]:
    app, parts = build_world(tmp_path, factory=database)
    store = parts["store"]
    assert isinstance(store, SqliteStore)
    fleet = Fleet().write(store)
    factory = parts["factory"]
    keys = make_keys(factory)  # type: ignore[arg-type]
    with TestClient(app) as client:
        app.state.fleet.refresh()
        yield ApiWorld(app=app, client=client, keys=keys, fleet=fleet, **parts)  # type: ignore[arg-type]
    store.close()
    parts["quarantine"].close()  # type: ignore[attr-defined]
