"""The API and dashboard application. Everything it talks to is passed in, nothing is global.

``vigil serve`` and ``vigil demo`` build the parts (store, database sessions, quarantine, model
registry, event bus, probes) and call ``create_app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.base import RequestResponseEndpoint

from api import errors
from api.config import ApiConfig
from api.events import EventBus
from api.fleet import FleetIndex
from api.health_state import AssetActivity
from api.metrics import ApiMetrics, CountsSource
from api.ports import Probe, QuarantineReader, StatsSource
from api.routers import assets, health, keys, webhooks, workorders
from api.routers import events as events_router
from api.routers import quarantine as quarantine_router
from ingest.store.base import TelemetryStore

log = logging.getLogger(__name__)

ActivitySource = Callable[[Session], Mapping[str, AssetActivity]]

DESCRIPTION = """\
Vigil's API: fleet health, telemetry and anomaly scores, alerts, work orders for the ticketing
system, webhooks, quarantine and models.

Every route but `/healthz` and `/readyz` needs an API key, sent as `Authorization: Bearer <key>`
or `X-API-Key: <key>`. Keys carry one role: `viewer` (read), `operator` (acknowledge and silence
alerts, transition work orders), `integrator` (the ticketing system: work orders, webhooks),
`data_scientist` (promote and roll back models), `admin` (everything, keys). A role that may not
do something gets 403 with a message saying which roles may.
"""


def _no_activity(session: Session) -> Mapping[str, AssetActivity]:
    return {}


def create_app(
    *,
    config: ApiConfig,
    session_factory: sessionmaker[Session],
    store: TelemetryStore,
    quarantine: QuarantineReader | None = None,
    events: EventBus | None = None,
    probes: Mapping[str, Probe] | None = None,
    stats: list[StatsSource] | None = None,
    activity: ActivitySource | None = None,
    alert_states: CountsSource | None = None,
    webhook_failures: CountsSource | None = None,
    extra_routers: list[APIRouter] | None = None,
    sse_heartbeat_s: float = 15.0,
) -> FastAPI:
    fleet = FleetIndex(store)

    def database_probe() -> None:
        with session_factory() as session:
            session.execute(text("SELECT 1"))

    all_probes: dict[str, Probe] = {"store": store.ping, "database": database_probe}
    all_probes.update(probes or {})

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_refresh_forever(fleet, config.fleet_refresh_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="Vigil",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.config = config
    app.state.session_factory = session_factory
    app.state.store = store
    app.state.quarantine = quarantine
    app.state.events = events or EventBus()
    app.state.fleet = fleet
    app.state.probes = all_probes
    app.state.activity = activity or _no_activity
    app.state.sse_heartbeat_s = sse_heartbeat_s
    app.state.metrics = ApiMetrics(
        stats=stats or [],
        quarantine=quarantine,
        alert_states=alert_states,
        webhook_failures=webhook_failures,
    )
    errors.install(app)
    _time_requests(app)

    app.include_router(health.router)
    v1 = APIRouter(prefix="/api/v1")
    for router in (
        assets.router,
        workorders.router,
        webhooks.router,
        quarantine_router.router,
        events_router.router,
        keys.router,
    ):
        v1.include_router(router)
    for router in extra_routers or []:
        v1.include_router(router)
    app.include_router(v1)
    return app


async def _refresh_forever(fleet: FleetIndex, every_s: float) -> None:
    while True:
        started = time.monotonic()
        try:
            await anyio.to_thread.run_sync(fleet.refresh)
        except Exception:
            # The store may be down for a while; the fleet view shows stale data meanwhile and
            # /readyz says why. Keep trying.
            log.warning("fleet refresh failed", exc_info=True)
        await asyncio.sleep(max(0.0, every_s - (time.monotonic() - started)))


def _route_template(scope: Mapping[str, Any]) -> str:
    """The matched route as a template (``/api/v1/assets/{asset}``), never the raw path, so the
    metric's label set stays small; requests matching no route share one label."""
    if scope.get("route") is None:
        return "unmatched"
    path = str(scope["path"])
    for name, value in scope.get("path_params", {}).items():
        path = path.replace(f"/{value}", f"/{{{name}}}", 1)
    return path


def _time_requests(app: FastAPI) -> None:
    @app.middleware("http")
    async def timing(request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        template = _route_template(request.scope)
        app.state.metrics.request_seconds.labels(
            request.method, template, str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response
