"""The engineer's pages, made for a phone: today's tasks in route order (``/my-work``) and one
work order on site (``/my-work/{number}``): its asset's history and live health, the fault's
metrics and predicted failure, suggested fixes and parts, and the visit (check-in/out, checklist,
parts, photos, notes, the customer's signature, resolve). The page's script (static/phone.js)
calls the visit API (``api/routers/visits.py``) with the session cookie and its CSRF token.

An engineer sees only work assigned to them; staff may open a work order's page too (to help
or check), a customer is sent to the portal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.config import ApiConfig
from api.dashboard.auth import AnyViewer, Viewer, home_of
from api.dashboard.views import _page
from api.deps import SessionDep, scope_of
from api.fleet import AssetSnapshot, FleetIndex
from api.health_state import AssetActivity, assess
from api.roles import Role
from field.flows import Scoring
from field.models import Engineer
from field.stock.suggest import suggest_parts
from field.tasks import Task, task_list
from field.visits.sheet import sheet
from knowledge import service as knowledge
from workorders import browse
from workorders import service as workorders
from workorders.errors import WorkOrderError
from workorders.models import Status, WorkOrder

router = APIRouter(include_in_schema=False)
_FINISHED = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)


def _engineer(session: SessionDep, user: Viewer) -> Engineer | None:
    return session.get(Engineer, user.key.engineer_id) if user.key.engineer_id else None


@router.get("/my-work", response_class=HTMLResponse, response_model=None)
def my_work_page(request: Request, session: SessionDep, user: AnyViewer) -> Response:
    if user.role is not Role.engineer:
        return RedirectResponse(home_of(user.role), status_code=303)
    engineer = _engineer(session, user)
    tasks: list[Task] = []
    others: list[WorkOrder] = []
    if engineer is not None:
        scoring: Scoring = request.app.state.scoring
        tasks = task_list(session=session, engineer=engineer, locate=scoring.locate)
        routed = {t.work_order.id for t in tasks}
        # Assigned without a dispatch record (set through the API): listed after the route.
        page = browse.list_work_orders(session=session, assignee=engineer.code, limit=500)
        others = [
            wo
            for wo in page.items
            if wo.id not in routed and wo.status not in (Status.CLOSED, Status.CANCELLED)
        ]
    return _page(
        request,
        "my_work.html",
        user=user,
        nav="my-work",
        engineer=engineer,
        tasks=tasks,
        others=others,
        now=datetime.now(UTC),
        phone=True,
    )


def _health(request: Request, session: SessionDep, wo: WorkOrder) -> dict[str, Any]:
    """The asset's live health as the fleet page shows it (``api.health_state.assess``)."""
    fleet: FleetIndex = request.app.state.fleet
    config: ApiConfig = request.app.state.config
    snapshot = fleet.get(wo.asset.asset) or AssetSnapshot(
        asset=wo.asset.asset, site=wo.asset.site, asset_type=wo.asset.asset_type
    )
    activity = request.app.state.activity(session).get(wo.asset.asset, AssetActivity())
    state, reason = assess(
        snapshot,
        activity,
        now=datetime.now(UTC),
        stale_after=timedelta(seconds=config.stale_after_s),
        presence=fleet.presence.get(wo.asset.asset),
    )
    return {"state": state.value, "reason": reason, "snapshot": snapshot}


@router.get("/my-work/{number}", response_class=HTMLResponse, response_model=None)
def work_order_page(
    request: Request, number: str, session: SessionDep, user: AnyViewer
) -> Response:
    if user.role is Role.customer:
        return RedirectResponse(home_of(user.role), status_code=303)
    scope = scope_of(user.key, session)
    try:
        wo = workorders.get_work_order(session=session, ref=number)
    except WorkOrderError:
        wo = None
    if wo is None or not scope.sees(wo):
        response = _page(
            request, "not_found.html", user=user, nav="my-work", what=f"work order {number}"
        )
        response.status_code = 404
        return response
    history = [
        w
        for w in browse.list_work_orders(
            session=session, site=wo.asset.site, asset=wo.asset.asset, limit=500
        ).items
        if w.id != wo.id
    ]
    history.sort(key=lambda w: w.created_at, reverse=True)
    visit = sheet(session=session, wo=wo)
    session.commit()  # the checklist, when this is its first read
    return _page(
        request,
        "my_work_order.html",
        user=user,
        nav="my-work",
        wo=wo,
        history=history[:10],
        health=_health(request, session, wo),
        fixes=knowledge.suggest_for_work_order(session=session, work_order=wo, limit=3),
        parts=suggest_parts(
            session=session,
            fault_code=wo.fault_code,
            asset_type=wo.asset.asset_type,
            asset_model=wo.asset.model,
            exclude_work_order=wo.id,
            limit=5,
        ),
        visit=visit,
        can_write=user.role is Role.engineer or user.can_operate,
        finished=wo.status in _FINISHED,
        now=datetime.now(UTC),
        phone=True,
    )
