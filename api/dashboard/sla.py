"""Dashboard pages of the SLA clock: what is at risk now, and the SLA plans (edited by service
managers and admins in a form; everyone on the staff reads them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.dashboard.auth import CurrentViewer, form_fields, same_origin
from api.dashboard.views import _page
from api.deps import PathId, SessionDep, actor
from api.routers.sla import PLAN_EDITORS, RISK_READERS, STAFF
from workorders.errors import WorkOrderError
from workorders.models import Priority, Tier
from workorders.sla import flows, plans
from workorders.sla.models import LEVELS, EscalationRole, PlanIn
from workorders.sla.risk import at_risk

router = APIRouter(include_in_schema=False)


def _forbidden(request: Request, user: CurrentViewer) -> HTMLResponse:
    return HTMLResponse(f"role '{user.role.value}' may not see or edit SLA pages", status_code=403)


def _risk_context(session: SessionDep) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"rows": at_risk(session=session, now=now, min_level=50), "now": now}


@router.get("/sla/at-risk", response_class=HTMLResponse)
def risk_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    if user.role not in RISK_READERS:
        return _forbidden(request, user)
    return _page(request, "sla_risk.html", user=user, nav="risk", **_risk_context(session))


@router.get("/fragments/sla-risk", response_class=HTMLResponse)
def risk_fragment(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    if user.role not in RISK_READERS:
        return _forbidden(request, user)
    return _page(request, "_sla_risk.html", user=user, **_risk_context(session))


def _plans_context(session: SessionDep, user: CurrentViewer, **extra: Any) -> dict[str, Any]:
    return {
        "plans": [plans.read(p) for p in plans.list_plans(session=session)],
        "priorities": list(Priority),
        "tiers": list(Tier),
        "levels": [str(level) for level in LEVELS],
        "roles": list(EscalationRole),
        "can_edit": user.role in PLAN_EDITORS,
        "error": None,
        "saved": None,
    } | extra


@router.get("/sla/plans", response_class=HTMLResponse)
def plans_page(
    request: Request, session: SessionDep, user: CurrentViewer, saved: str | None = None
) -> HTMLResponse:
    if user.role not in STAFF:
        return _forbidden(request, user)
    return _page(
        request,
        "sla_plans.html",
        user=user,
        nav="sla",
        **_plans_context(session, user, saved=saved),
    )


@router.post("/sla/plans/{plan_id}", response_model=None)
async def save_plan(
    plan_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    fields = await form_fields(request)
    if not same_origin(request) or fields.get("csrf_token") != user.csrf:
        return Response("missing or wrong CSRF token", status_code=403)
    if user.role not in PLAN_EDITORS:
        return _forbidden(request, user)
    try:
        data = _plan_from_form(fields)
        now = datetime.now(UTC)
        plans.update_plan(
            session=session, plan_id=plan_id, data=data, actor=actor(user.key), now=now
        )
        flows.plan_edited(session=session, plan_id=plan_id, actor=actor(user.key), now=now)
    except (ValidationError, ValueError, WorkOrderError) as error:
        session.rollback()
        message = _message(error)
        response = _page(
            request,
            "sla_plans.html",
            user=user,
            nav="sla",
            **_plans_context(session, user, error=f"Plan not saved: {message}"),
        )
        response.status_code = 422
        return response
    return RedirectResponse(f"/sla/plans?saved={plan_id}", status_code=303)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    return str(error)


def _plan_from_form(fields: dict[str, str]) -> PlanIn:
    def minutes(name: str) -> int:
        text = fields.get(name, "").strip()
        if not text.isdecimal():
            raise ValueError(f"{name.replace(':', ' ')}: give whole minutes, got {text!r}")
        return int(text)

    targets = [
        {
            "priority": p.value,
            "customer_tier": t.value,
            **{
                k: minutes(f"{p.value}:{t.value}:{k}")
                for k in ("respond_min", "on_site_min", "resolve_min")
            },
        }
        for p in Priority
        for t in Tier
    ]
    auto_dispatch: dict[str, Any] = {}
    for p in Priority:
        confirm = fields.get(f"auto:{p.value}", "").strip()
        if confirm:
            if not confirm.isdecimal():
                raise ValueError(f"auto-dispatch {p.value}: give whole minutes, got {confirm!r}")
            auto_dispatch[p.value] = {"confirm_within_min": int(confirm)}
    return PlanIn.model_validate(
        {
            "name": fields.get("name", ""),
            "description": fields.get("description", ""),
            "around_the_clock": [p.value for p in Priority if fields.get(f"atc:{p.value}")],
            "escalation": {
                level: [r.value for r in EscalationRole if fields.get(f"esc:{level}:{r.value}")]
                for level in (str(x) for x in LEVELS)
            },
            "auto_dispatch": auto_dispatch,
            "targets": targets,
        }
    )
