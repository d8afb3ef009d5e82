from __future__ import annotations

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
from workorders.db import Base, make_engine, session_factory


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


def build_world(tmp_path: Path, **config_overrides: object) -> tuple[FastAPI, dict[str, object]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    Base.metadata.create_all(engine)
    factory = session_factory(engine)
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


@pytest.fixture
def world(tmp_path: Path) -> Iterator[ApiWorld]:
    app, parts = build_world(tmp_path)
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
