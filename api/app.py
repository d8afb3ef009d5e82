"""The API and dashboard application. Everything it talks to is passed in, nothing is global.

``vigil serve`` and ``vigil demo`` build the parts (store, database sessions, quarantine, model
registry, event bus, probes) and call ``create_app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors, openapi, readmodels
from api.config import ApiConfig
from api.dashboard import desk as desk_pages
from api.dashboard import dispatch as dispatch_board
from api.dashboard import engineers as engineer_pages
from api.dashboard import knowledge as knowledge_pages
from api.dashboard import kpis as kpi_pages
from api.dashboard import phone as phone_pages
from api.dashboard import plan_form as plan_form_pages
from api.dashboard import plans as plan_pages
from api.dashboard import sla as sla_pages
from api.dashboard import survey as survey_pages
from api.dashboard import value as value_pages
from api.dashboard import views as dashboard
from api.dashboard import work_order as work_order_page
from api.dashboard.auth import SignInRequired, redirect_to_sign_in
from api.events import EventBus
from api.fleet import FleetIndex
from api.metrics import ApiMetrics
from api.openapi import COMMON_RESPONSES
from api.ports import Probe, QuarantineReader, StatsSource
from api.routers import (
    alerts,
    asset_metrics,
    asset_records,
    assets,
    classification_rules,
    contracts,
    customers,
    dispatch,
    engineers,
    followups,
    health,
    keys,
    knowledge,
    kpis,
    models,
    plans,
    requests,
    sites,
    sla,
    stock,
    surveys,
    visits,
    webhooks,
    workorders,
)
from api.routers import customer_value as value_router
from api.routers import events as events_router
from api.routers import quarantine as quarantine_router
from api.routers import scorecards as scorecard_router
from api.watch import ChangeWatcher
from field.flows import Scoring
from ingest.store.base import TelemetryStore
from models.registry import Registry

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


DESCRIPTION = """\
Vigil's API: fleet health, telemetry and anomaly scores, alerts, work orders for the ticketing
system, webhooks, quarantine and models.

Every route but `/healthz` and `/readyz` needs an API key, sent as `Authorization: Bearer <key>`
or `X-API-Key: <key>`. Keys carry one role: `viewer` (read), `operator` (acknowledge and silence
alerts, transition work orders), `integrator` (the ticketing system: work orders, webhooks),
`data_scientist` (promote and roll back models), `admin` (everything, keys). A role that may not
do something gets 403 with a message saying which roles may.
"""


def create_app(
    *,
    config: ApiConfig,
    session_factory: sessionmaker[Session],
    store: TelemetryStore,
    quarantine: QuarantineReader | None = None,
    registry: Registry | None = None,
    events: EventBus | None = None,
    probes: Mapping[str, Probe] | None = None,
    stats: list[StatsSource] | None = None,
    extra_routers: list[APIRouter] | None = None,
    scoring: Scoring | None = None,
    sse_heartbeat_s: float = 15.0,
    watch_interval_s: float = 1.0,
) -> FastAPI:
    fleet = FleetIndex(store)
    bus = events or EventBus()
    watcher = ChangeWatcher(session_factory, bus)

    def counts(query: Callable[[Session], dict[str, int]]) -> Callable[[], dict[str, int]]:
        def read() -> dict[str, int]:
            with session_factory() as session:
                return query(session)

        return read

    def database_probe() -> None:
        with session_factory() as session:
            session.execute(text("SELECT 1"))

    all_probes: dict[str, Probe] = {"store": store.ping, "database": database_probe}
    all_probes.update(probes or {})

    def refresh_presence() -> None:
        # Dashboards refresh their fleet view on this event: a gateway death shows in seconds.
        for change in fleet.refresh_presence():
            bus.publish(
                "presence",
                {
                    "site": change.site,
                    "asset": change.asset,
                    "online": change.online,
                    "since": change.since.isoformat(),
                },
            )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What is alive at startup (modules, the app, the ORM's mappers) lives as long as the
        # server: out of the collector's sight, a large response (30,000 KPI figures) no longer
        # sets off full collections over all of it (measured on the KPIs by site: their dicts
        # took 0.33 s with those collections, 0.03 s without). Thawed at shutdown, so that an
        # app stopped inside a longer process (the tests) is collected.
        gc.freeze()
        await anyio.to_thread.run_sync(watcher.start_from_now)
        tasks = [
            asyncio.create_task(_every(fleet.refresh, config.fleet_refresh_s, "fleet refresh")),
            asyncio.create_task(
                _every(refresh_presence, config.presence_refresh_s, "presence refresh")
            ),
            asyncio.create_task(_every(watcher.poll, watch_interval_s, "change watch")),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            gc.unfreeze()

    app = FastAPI(
        title="Vigil",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from vendored assets: the docs work offline too
        redoc_url=None,
    )
    app.state.config = config
    app.state.session_factory = session_factory
    app.state.store = store
    app.state.quarantine = quarantine
    app.state.registry = registry
    app.state.events = bus
    app.state.watcher = watcher
    app.state.fleet = fleet
    app.state.probes = all_probes
    app.state.activity = readmodels.asset_activity
    app.state.scoring = scoring or Scoring()
    app.state.sse_heartbeat_s = sse_heartbeat_s
    app.state.metrics = ApiMetrics(
        stats=stats or [],
        quarantine=quarantine,
        alert_states=counts(readmodels.alert_states),
        webhook_failures=counts(readmodels.failing_deliveries),
    )
    errors.install(app)
    openapi.install(app)
    _time_requests(app)

    app.include_router(health.router)
    v1 = APIRouter(prefix="/api/v1", responses=COMMON_RESPONSES)
    for router in (
        assets.router,
        asset_metrics.router,
        alerts.router,
        workorders.router,
        knowledge.router,
        sla.clock_router,
        sla.router,
        stock.router,
        visits.router,
        webhooks.router,
        quarantine_router.router,
        models.router,
        events_router.router,
        keys.router,
        engineers.router,
        dispatch.router,
        customers.router,
        sites.router,
        contracts.router,
        asset_records.router,
        requests.router,
        classification_rules.router,
        followups.router,
        surveys.router,
        value_router.router,
        plans.router,
        kpis.router,
        scorecard_router.router,
    ):
        v1.include_router(router)
    for router in extra_routers or []:
        v1.include_router(router)
    app.include_router(v1)
    app.include_router(dashboard.router)
    app.include_router(dispatch_board.router)
    app.include_router(desk_pages.router)
    app.include_router(sla_pages.router)
    app.include_router(kpi_pages.router)
    app.include_router(survey_pages.router)
    app.include_router(knowledge_pages.router)
    app.include_router(work_order_page.router)
    app.include_router(value_pages.router)
    app.include_router(plan_pages.router)
    app.include_router(plan_form_pages.router)
    app.include_router(phone_pages.router)
    app.include_router(engineer_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Vigil API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",  # no request at all (offline)
        )

    app.add_exception_handler(SignInRequired, redirect_to_sign_in)  # type: ignore[arg-type]
    return app


async def _every(job: Callable[[], object], every_s: float, what: str) -> None:
    while True:
        started = time.monotonic()
        try:
            await anyio.to_thread.run_sync(job)
        except Exception:
            # The store or database may be down for a while; the views show stale data
            # meanwhile and /readyz says why. Keep trying.
            log.warning("%s failed", what, exc_info=True)
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
    # A plain ASGI middleware: Starlette's BaseHTTPMiddleware would wrap the endless SSE stream.
    histogram = app.state.metrics.request_seconds

    class Timing:
        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.inner(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def record(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    histogram.labels(scope["method"], _route_template(scope), str(status)).observe(
                        time.perf_counter() - started
                    )
                await send(message)

            await self.inner(scope, receive, record)

    app.add_middleware(Timing)
