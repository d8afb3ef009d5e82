"""Fixtures that start real servers. In CI (CI=true) a server that cannot be had fails the test;
on a developer laptop it skips with a message saying what to install."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.live import CHROMIUM, launch
from vigil import embedded
from vigil.embedded import ChildServer, ServerUnavailable

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"required server unavailable in CI: {message}", pytrace=False)
    pytest.skip(f"developer laptop only: {message}")


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (the tests marked ``browser``)."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python (pip install playwright; never `playwright install`)")
    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture
def start_mosquitto(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., ChildServer]]:
    """Factory: a fresh mosquitto on a free port with its own persistence dir; stopped after."""
    started: list[ChildServer] = []

    def start(extra_conf: str = "") -> ChildServer:
        try:
            server = embedded.mosquitto(tmp_path_factory.mktemp("mosquitto"), extra_conf=extra_conf)
            server.start()
        except ServerUnavailable as error:
            unavailable(str(error))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def start_influxd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], ChildServer]]:
    """Factory: a fresh influxd on a free port with temporary data dirs; stopped after."""
    started: list[ChildServer] = []

    def start() -> ChildServer:
        try:
            server = embedded.influxd(tmp_path_factory.mktemp("influxd"))
            server.start()
        except ServerUnavailable as error:
            unavailable(str(error))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def mosquitto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChildServer]:
    """One mosquitto shared by the tests that do not stop it."""
    try:
        server = embedded.mosquitto(tmp_path_factory.mktemp("mosquitto-shared")).start()
    except ServerUnavailable as error:
        unavailable(str(error))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def influx_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChildServer]:
    """One influxd shared by the tests that do not stop it; each test uses its own database."""
    try:
        server = embedded.influxd(tmp_path_factory.mktemp("influxd-shared")).start()
    except ServerUnavailable as error:
        unavailable(str(error))
    yield server
    server.stop()


@pytest.fixture
def influx_db(influx_server: ChildServer) -> Iterator[tuple[str, str]]:
    """(url, database) of a database of its own on the shared influxd, dropped after the test."""
    url = f"http://127.0.0.1:{influx_server.port}"
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield url, name
    httpx.post(f"{url}/query", params={"q": f'DROP DATABASE "{name}"'}, timeout=30)


POSTGRES_ADMIN_URL = os.environ.get(
    "VIGIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database on the local server for this test session, dropped after."""
    import sqlalchemy as sa

    name = f"vigil_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}: {error.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save files a person may want to look at (screenshots, reports)."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def start_postgres() -> Iterator[Callable[[], ChildServer]]:
    """Factory: a private PostgreSQL cluster on a free port that the test may kill and restart."""
    import shutil
    import tempfile

    started: list[tuple[ChildServer, Path]] = []

    def start() -> ChildServer:
        # Under /tmp itself: as root the server runs as `postgres`, which cannot enter pytest's
        # private temporary directories.
        workdir = Path(tempfile.mkdtemp(prefix="vigil-pg-"))
        try:
            server = embedded.postgres(workdir).start(timeout=60)
        except ServerUnavailable as error:
            unavailable(str(error))
        started.append((server, workdir))
        return server

    yield start
    for server, workdir in started:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# The few tests that take minutes of real time (whole demo runs, the OpenAPI property test).
# Collected first, so that pytest-xdist hands them to different workers at the start instead of
# leaving two of them for one worker at the end.
LONGEST = (
    "tests/vigil/test_demo_work_order.py",
    "tests/api/test_openapi_properties.py",
    "tests/vigil/test_readme_demo.py",
    "tests/vigil/test_demo.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST.index(path) if path in LONGEST else len(LONGEST)

    items.sort(key=rank)  # stable: everything else keeps its order
