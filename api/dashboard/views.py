"""The operations dashboard: server-rendered pages; live updates come from /api/v1/events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from alerts import service as alert_service
from alerts.models import AlertRead
from api import keys, readmodels, sessions
from api.dashboard.auth import AnyViewer, CurrentViewer, form_fields, safe_next, same_origin
from api.deps import ConfigDep, FleetDep, SessionDep
from api.routers.assets import summaries
from api.schemas import HealthState
from workorders.failure import fails_in
from workorders.models import Status

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
router = APIRouter(include_in_schema=False)

RANGES = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _clock(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


TEMPLATES.env.filters["ago"] = _ago
TEMPLATES.env.filters["clock"] = _clock
TEMPLATES.env.filters["iso"] = lambda m: "" if m is None else m.isoformat()
TEMPLATES.env.filters["fails_in"] = lambda wo: fails_in(
    at=wo.predicted_failure_at,
    low=wo.predicted_failure_low,
    high=wo.predicted_failure_high,
    now=datetime.now(UTC),
)


# Which estimate gave a predicted failure (``models.rul.live``), as the pages say it.
RUL_SOURCES = {
    "learned": "learned from confirmed failures",
    "trend": "from the degradation trend",
}
TEMPLATES.env.filters["rul_source"] = lambda source: RUL_SOURCES.get(source or "", "")


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, name, context)
    # Pages carry a CSRF token and live data: never cache them, never frame them.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    return response


# --- sign in / out -----------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", next=safe_next(next), error=None, user=None)


@router.post("/login", response_model=None)
async def login(request: Request, session: SessionDep, config: ConfigDep) -> Response:
    fields = await form_fields(request)
    next_path = safe_next(fields.get("next"))
    if not same_origin(request):
        return _page(
            request,
            "login.html",
            next=next_path,
            error="Sign-in from another site refused.",
            user=None,
        )
    key = keys.authenticate(session=session, key=fields.get("key", "").strip())
    if key is None:
        response = _page(
            request,
            "login.html",
            next=next_path,
            error="That key is not valid or was revoked.",
            user=None,
        )
        response.status_code = 401
        return response
    redirect = RedirectResponse(next_path, status_code=303)
    sessions.issue(redirect, config=config, key_id=key.id)
    return redirect


@router.post("/logout", response_model=None)
async def logout(request: Request, config: ConfigDep, user: AnyViewer) -> Response:
    fields = await form_fields(request)
    if fields.get("csrf_token") != user.csrf:
        return Response("missing or wrong CSRF token", status_code=403)
    redirect = RedirectResponse("/login", status_code=303)
    sessions.clear(redirect, config=config)
    return redirect


# --- fleet ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FleetFilters:
    site: str | None = None
    asset_type: str | None = None
    state: str | None = None


def _fleet_context(
    request: Request,
    fleet: FleetDep,
    config: ConfigDep,
    session: SessionDep,
    filters: Annotated[FleetFilters, Depends()],
) -> dict[str, Any]:
    items = summaries(request, fleet, config, session)
    shown = [
        a
        for a in items
        if (not filters.site or a.site == filters.site)
        and (not filters.asset_type or a.asset_type == filters.asset_type)
    ]
    counts = dict.fromkeys(HealthState, 0)
    for a in shown:
        counts[a.state] += 1
    if filters.state:
        shown = [a for a in shown if a.state.value == filters.state]
    return {
        "assets": shown,
        "counts": counts,
        "sites": sorted({a.site for a in items}),
        "types": sorted({a.asset_type for a in items}),
        "filters": {
            "site": filters.site or "",
            "asset_type": filters.asset_type or "",
            "state": filters.state or "",
        },
        "states": list(HealthState),
    }


FleetContext = Annotated[dict[str, Any], Depends(_fleet_context)]


def _feed(session: SessionDep) -> list[AlertRead]:
    rows = alert_service.list_alerts(session=session, limit=30)
    return [AlertRead.model_validate(row) for row in rows]


@router.get("/", response_class=HTMLResponse)
def fleet_page(
    request: Request, session: SessionDep, user: CurrentViewer, context: FleetContext
) -> HTMLResponse:
    return _page(request, "fleet.html", user=user, nav="fleet", feed=_feed(session), **context)


@router.get("/fragments/fleet", response_class=HTMLResponse)
def fleet_fragment(request: Request, user: CurrentViewer, context: FleetContext) -> HTMLResponse:
    return _page(request, "_fleet.html", user=user, **context)


@router.get("/fragments/feed", response_class=HTMLResponse)
def feed_fragment(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _page(request, "_feed.html", user=user, feed=_feed(session))


# --- work-order board ---------------------------------------------------------------------------


@router.get("/board", response_class=HTMLResponse)
def board_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _page(request, "board.html", user=user, nav="board", **_board_context(session))


@router.get("/fragments/board", response_class=HTMLResponse)
def board_fragment(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _page(request, "_board.html", user=user, **_board_context(session))


def _board_context(session: SessionDep) -> dict[str, Any]:
    columns = readmodels.board(session)
    now = datetime.now(UTC)
    overdue = sum(
        1
        for items in columns.values()
        for wo in items
        if (wo.responded_at is None and wo.respond_by < now)
        or (wo.on_site_at is None and wo.on_site_by < now and wo.status is not Status.RESOLVED)
    )
    return {"columns": columns, "overdue": overdue, "now": now}


# --- asset --------------------------------------------------------------------------------------


@router.get("/asset/{asset}", response_class=HTMLResponse)
def asset_page(
    asset: str,
    request: Request,
    fleet: FleetDep,
    config: ConfigDep,
    session: SessionDep,
    user: CurrentViewer,
    range: str = "24h",
) -> HTMLResponse:
    snapshot = next(
        (a for a in summaries(request, fleet, config, session) if a.asset == asset), None
    )
    record = readmodels.asset_record(session, asset=asset)
    if snapshot is None and record is None:
        response = _page(request, "not_found.html", user=user, nav="fleet", what=f"asset {asset}")
        response.status_code = 404
        return response
    span = RANGES.get(range, RANGES["24h"])
    alerts = [
        AlertRead.model_validate(a)
        for a in alert_service.list_alerts(session=session, asset=asset, limit=50)
    ]
    work_orders = readmodels.asset_work_orders(session, asset=asset)
    current = next((a for a in alerts if a.state.value in ("pending", "firing")), None)
    current_wo = next(
        (wo for wo in work_orders if current and wo.id == current.work_order_id), None
    )
    # The live alert explains itself; a work order's copy is the fallback for alerts stored
    # before alerts carried their contributions.
    contributions = (current.contributions if current else None) or (
        (current_wo.top_metrics if current_wo else None)
        or (work_orders[0].top_metrics if work_orders and current else {})
    )
    markers = [
        {"t": int(m.timestamp() * 1000), "label": label, "kind": kind}
        for a in alerts
        for m, label, kind in (
            (a.firing_at, f"alert firing: {a.fault_code}", "alert"),
            (a.resolved_at, f"alert resolved: {a.fault_code}", "resolved"),
        )
        if m is not None
    ] + [
        {
            "t": int(wo.created_at.timestamp() * 1000),
            "label": f"{wo.number} opened",
            "kind": "work_order",
        }
        for wo in work_orders
    ]
    return _page(
        request,
        "asset.html",
        user=user,
        nav="fleet",
        asset=asset,
        snapshot=snapshot,
        record=record,
        alerts=alerts,
        current=current,
        contributions=contributions,
        work_orders=work_orders,
        ranges=list(RANGES),
        range=range if range in RANGES else "24h",
        span_ms=int(span.total_seconds() * 1000),
        markers_json=json.dumps(markers),
    )
