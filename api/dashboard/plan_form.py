"""The form that creates and edits a preventive plan (service managers and admins).

It calls the same ``planning.service`` functions as ``/api/v1/plans``; a refused plan is shown
again with what was typed and the reason (422, or 409 for a name taken), never a 500. Only the
fields of the chosen trigger are read, so the other triggers' boxes may hold anything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.dashboard.auth import CurrentViewer, Viewer
from api.dashboard.plans import can_edit, posted
from api.dashboard.views import _page
from api.deps import PathId, SessionDep, actor
from customers.errors import Conflict, InvalidInput, NotFound, RecordError
from customers.models import Asset
from knowledge.models import Article, ArticleStatus
from planning import service
from planning.models import Anchor, Direction, MaintenancePlan, Trigger, Unit
from planning.schemas import PlanCreate, PlanUpdate
from workorders.models import Priority

router = APIRouter(include_in_schema=False)
# The boxes of each trigger, as the form names them (the schema's names).
TRIGGER_FIELDS: dict[Trigger, tuple[str, ...]] = {
    Trigger.CALENDAR: ("every", "unit", "anchor", "start_on", "lead_days"),
    Trigger.RUNNING_HOURS: ("interval_hours", "lead_hours", "first_due_hours"),
    Trigger.CONDITION: ("metric", "direction", "level", "clear_level", "for_readings"),
}
_CHOICES_LIMIT = 1000  # assets and articles offered in the form's lists


def _asset_label(asset: Asset) -> str:
    return f"{asset.site}/{asset.asset}"


def _find_asset(session: Session, text: str) -> int:
    """``site/asset``, or an asset name that only one site has."""
    text = text.strip()
    if not text:
        raise InvalidInput("asset: name the asset (site/asset), or choose every asset of a type")
    site, _, name = text.rpartition("/")
    query = sa.select(Asset.id).where(Asset.asset == name)
    if site:
        query = query.where(Asset.site == site)
    ids = list(session.scalars(query.limit(2)))
    if not ids:
        raise InvalidInput(f"asset: no asset {text!r} (write it as site/asset)")
    if len(ids) > 1:
        raise InvalidInput(f"asset: several sites have an asset {name!r}: write site/{name}")
    return ids[0]


def _articles(fields: dict[str, str]) -> list[int]:
    chosen: list[int] = []
    for name in sorted((n for n in fields if n.startswith("article_")), key=_slot):
        value = fields[name].strip()
        if not value:
            continue
        if not value.isdecimal():
            raise InvalidInput(f"checklist article: {value!r} is not an article id")
        if int(value) not in chosen:
            chosen.append(int(value))
    return chosen


def _slot(name: str) -> int:
    tail = name.removeprefix("article_")
    return int(tail) if tail.isdecimal() else 0


def _common(fields: dict[str, str]) -> dict[str, Any]:
    return {
        "name": fields.get("name", "").strip(),
        "description": fields.get("description", "").strip(),
        "article_ids": _articles(fields),
        "steps": [s.strip() for s in fields.get("steps", "").splitlines() if s.strip()],
        "priority": fields.get("priority") or Priority.SUGGESTION.value,
        "grace_days": fields.get("grace_days", "").strip() or 7,
    }


def _trigger_values(trigger: Trigger, fields: dict[str, str], *, blanks: bool) -> dict[str, Any]:
    """The chosen trigger's boxes; blank ones left out (create) or given as None (edit: cleared)."""
    values: dict[str, Any] = {}
    for name in TRIGGER_FIELDS[trigger]:
        text = fields.get(name, "").strip()
        if text:
            values[name] = text
        elif blanks:
            values[name] = None
    return values


def _trigger(fields: dict[str, str]) -> Trigger:
    try:
        return Trigger(fields.get("trigger", ""))
    except ValueError:
        raise InvalidInput("trigger: choose calendar, running hours or condition") from None


def _create(session: Session, fields: dict[str, str], user: Viewer) -> MaintenancePlan:
    trigger = _trigger(fields)
    target: dict[str, Any]
    if fields.get("target") == "type":
        target = {"asset_type": fields.get("asset_type", "").strip() or None}
        if target["asset_type"] is None:
            raise InvalidInput("asset type: name the type, or choose one asset")
    else:
        target = {"asset_id": _find_asset(session, fields.get("asset", ""))}
    data = PlanCreate.model_validate(
        _common(fields)
        | target
        | {"trigger": trigger.value, "active": True}
        | _trigger_values(trigger, fields, blanks=False)
    )
    return service.create_plan(session=session, data=data, actor=actor(user.key), now=_now())


def _edit(session: Session, plan_id: int, fields: dict[str, str], user: Viewer) -> MaintenancePlan:
    plan = service.get_plan(session=session, plan_id=plan_id)
    values = _trigger_values(plan.trigger, fields, blanks=True)
    values.pop("first_due_hours", None)  # one asset's first service: set when the plan is made
    data = PlanUpdate.model_validate(_common(fields) | values)
    return service.update_plan(
        session=session, plan_id=plan_id, data=data, actor=actor(user.key), now=_now()
    )


def _explain(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']).replace('_', ' ') or 'plan'}: {e['msg']}"
        for e in error.errors()
    )


def _form_of(plan: MaintenancePlan) -> dict[str, str]:
    fields: dict[str, str] = {
        "name": plan.name,
        "description": plan.description,
        "trigger": plan.trigger.value,
        "target": "asset" if plan.asset_id else "type",
        "asset": _asset_label(plan.asset) if plan.asset else "",
        "asset_type": plan.asset_type or "",
        "steps": "\n".join(plan.steps or []),
        "priority": plan.priority.value,
        "grace_days": str(plan.grace_days),
    }
    for name in TRIGGER_FIELDS[plan.trigger]:
        value = getattr(plan, name)
        fields[name] = "" if value is None else str(getattr(value, "value", value))
    for slot, article_id in enumerate(plan.article_ids or []):
        fields[f"article_{slot}"] = str(article_id)
    return fields


def _form_page(
    request: Request,
    session: Session,
    user: Viewer,
    *,
    fields: dict[str, str],
    plan: MaintenancePlan | None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    articles = session.scalars(
        sa.select(Article)
        .where(Article.status != ArticleStatus.ARCHIVED.value)
        .order_by(Article.title)
        .limit(_CHOICES_LIMIT)
    ).all()
    chosen = sum(1 for n in fields if n.startswith("article_") and fields[n].strip())
    response = _page(
        request,
        "plan_form.html",
        user=user,
        nav="plans",
        form=fields,
        plan=plan,
        error=error,
        triggers=list(Trigger),
        units=list(Unit),
        anchors=list(Anchor),
        directions=list(Direction),
        priorities=list(Priority),
        metrics=sorted(service.CONDITION_METRICS),
        articles=articles,
        article_slots=max(3, chosen + 1),
        assets=[
            _asset_label(a)
            for a in session.scalars(
                sa.select(Asset).order_by(Asset.site, Asset.asset).limit(_CHOICES_LIMIT)
            )
        ],
        asset_types=list(
            session.scalars(sa.select(Asset.asset_type).distinct().order_by(Asset.asset_type))
        ),
    )
    response.status_code = status_code
    return response


def _editor(user: Viewer) -> None:
    if not can_edit(user):
        raise HTTPException(403, detail=f"role '{user.role.value}' may read plans, not edit them")


@router.get("/plans/new", response_class=HTMLResponse)
def new_plan_form(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    _editor(user)
    blank = {"trigger": Trigger.CALENDAR.value, "target": "asset", "unit": "months",
             "anchor": "fixed", "priority": Priority.SUGGESTION.value, "grace_days": "7"}  # fmt: skip
    return _form_page(request, session, user, fields=blank, plan=None)


@router.get("/plans/{plan_id}/edit", response_class=HTMLResponse)
def edit_plan_form(
    plan_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> HTMLResponse:
    _editor(user)
    plan = _plan(session, plan_id)
    return _form_page(request, session, user, fields=_form_of(plan), plan=plan)


def _plan(session: Session, plan_id: int) -> MaintenancePlan:
    try:
        return service.get_plan(session=session, plan_id=plan_id)
    except NotFound as error:
        raise HTTPException(404, detail=str(error)) from None


@router.post("/plans/new", response_model=None)
async def create_plan(request: Request, session: SessionDep, user: CurrentViewer) -> Response:
    fields = await posted(request, user)
    return _save(request, session, user, fields, plan_id=None)


@router.post("/plans/{plan_id}/edit", response_model=None)
async def edit_plan(
    plan_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    fields = await posted(request, user)
    _plan(session, plan_id)
    return _save(request, session, user, fields, plan_id=plan_id)


def _save(
    request: Request,
    session: Session,
    user: Viewer,
    fields: dict[str, str],
    *,
    plan_id: int | None,
) -> Response:
    try:
        if plan_id is None:
            plan = _create(session, fields, user)
        else:
            plan = _edit(session, plan_id, fields, user)
    except (ValidationError, RecordError) as error:
        session.rollback()
        message = _explain(error) if isinstance(error, ValidationError) else str(error)
        current = None if plan_id is None else _plan(session, plan_id)
        return _form_page(
            request,
            session,
            user,
            fields=fields | ({"trigger": current.trigger.value} if current else {}),
            plan=current,
            error=f"Plan not saved: {message}",
            status_code=409 if isinstance(error, Conflict) else 422,
        )
    session.flush()
    saved = urlencode({"saved": f"{plan.name} saved"})
    return RedirectResponse(f"/plans?{saved}#plan-{plan.id}", status_code=303)


def _now() -> datetime:
    return datetime.now(UTC)
