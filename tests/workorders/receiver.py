"""A real webhook receiver for the tests: a FastAPI example of docs/ticketing-integration.md (the
hand-written check of X-Vigil-Signature, or the Standard Webhooks library), served by uvicorn on a
free port in a thread, stoppable and restartable on the same port."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from vigil.embedded import free_port

# Standard Webhooks form: whsec_ + base64 of the key bytes ("test-secret-0123456789abcdef").
SECRET = "whsec_dGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="
DOC = Path(__file__).resolve().parents[2] / "docs" / "ticketing-integration.md"
SECRET_FROM_ENV = 'os.environ["VIGIL_WEBHOOK_SECRET"]'


def docs_block(marker: str) -> str:
    """The fenced block right after ``<!-- tested: marker -->`` in the integration guide."""
    match = re.search(rf"<!-- tested: {marker} -->\n```\w+\n(.*?)\n```", DOC.read_text(), re.S)
    assert match, f"no block marked {marker!r} in {DOC}"
    return match.group(1)


def load_docs_receiver(secret: str, marker: str = "receiver") -> dict[str, Any]:
    """Execute the documented receiver ``marker`` with ``secret``; returns its module namespace."""
    source = docs_block(marker)
    assert SECRET_FROM_ENV in source
    namespace: dict[str, Any] = {"__name__": "docs_receiver"}
    exec(compile(source.replace(SECRET_FROM_ENV, repr(secret)), str(DOC), "exec"), namespace)
    return namespace


@dataclass(frozen=True)
class Hit:
    delivery: str
    event: str
    status: int


@dataclass
class Receiver:
    secret: str
    # Which documented receiver: "receiver" (X-Vigil-Signature) or "standard-receiver".
    marker: str = "receiver"
    port: int = field(default_factory=free_port)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.namespace = load_docs_receiver(self.secret, self.marker)
        app: FastAPI = self.namespace["app"]

        @app.middleware("http")
        async def _record(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            response = await call_next(request)
            self.hits.append(
                Hit(
                    request.headers.get("x-vigil-delivery", ""),
                    request.headers.get("x-vigil-event", ""),
                    response.status_code,
                )
            )
            return response

        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/vigil"

    @property
    def tickets(self) -> dict[str, dict[str, Any]]:
        tickets: dict[str, dict[str, Any]] = self.namespace["tickets"]
        return tickets

    def start(self) -> Receiver:
        config = uvicorn.Config(
            self.namespace["app"],
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "receiver did not start"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """The documented receiver, running, verifying with ``SECRET``."""
    started = Receiver(SECRET).start()
    yield started
    started.stop()
