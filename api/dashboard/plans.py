"""The preventive-plans page: every plan with its next due, last occurrence and PM compliance,
what each asset has coming next, recent occurrences; pausing and resuming a plan.

Every staff key reads it; service managers and admins (``api.roles.RECORDS``, as for
``/api/v1/plans``) create, edit, pause and resume plans. The forms are in ``plan_form``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.dashboard.auth import CurrentViewer, Viewer, form_fields, same_origin
from api.dashboard.views import _page
from api.deps import PathId, SessionDep, actor
from api.roles import RECORDS, STAFF
from customers.errors import RecordError
from planning import service
from planning.overview import matching, overview
from planning.schemas import PlanUpdate

router = APIRouter(include_in_schema=False)
# PM compliance on the page: the last twelve months, judged today.
COMPLIANCE_DAYS = 365
# Plans shown at once: a fleet with a plan per asset has thousands; the search narrows them.
SHOWN = 200
STATES = {"active": True, "paused": False}


def can_edit(user: Viewer) -> bool:
    return user.role in RECORDS


async def posted(request: Request, user: Viewer) -> dict[str, str]:
    """A form from this site with the session's CSRF token, from a role that may edit plans."""
    fields = await form_fields(request, limit=32 * 1024)
    if not same_origin(request) or fields.get("csrf_token") != user.csrf:
        raise HTTPException(403, detail="missing or wrong CSRF token, or a form from another site")
    if not can_edit(user):
        raise HTTPException(403, detail=f"role '{user.role.value}' may read plans, not edit them")
    return fields


@router.get("/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    session: SessionDep,
    user: CurrentViewer,
    saved: str | None = None,
    error: str | None = None,
    q: str = "",
    state: str = "",
) -> HTMLResponse:
    if user.role not in STAFF:
        return HTMLResponse(f"role '{user.role.value}' may not see plans", status_code=403)
    found = matching(session=session, q=q[:200], active=STATES.get(state))
    rows = overview(
        session=session, now=datetime.now(UTC), days=COMPLIANCE_DAYS, plans=found[:SHOWN]
    )
    # What comes next and the recent occurrences are those of the plans found.
    ids = {p.id for p in found}
    narrowed = bool(q.strip()) or state in STATES
    return _page(
        request,
        "plans.html",
        user=user,
        nav="plans",
        rows=rows,
        names={p.id: p.name for p in found},
        total=len(found),
        q=q[:200],
        state=state if state in STATES else "",
        upcoming=[u for u in service.upcoming(session=session) if u.plan_id in ids][:100],
        occurrences=[
            o
            for o in service.list_occurrences(session=session, limit=1000 if narrowed else 50)
            if o.plan_id in ids
        ][:50],
        can_edit=can_edit(user),
        saved=saved,
        error=(error or "")[:300] or None,
    )


@router.post("/plans/{plan_id}/active", response_model=None)
async def pause_or_resume(
    plan_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    """Pause (its open occurrences are cancelled, their work orders stay) or resume a plan."""
    fields = await posted(request, user)
    active = fields.get("active") == "1"
    try:
        plan = service.update_plan(
            session=session,
            plan_id=plan_id,
            data=PlanUpdate(active=active),
            actor=actor(user.key),
            now=datetime.now(UTC),
        )
    except RecordError as failure:
        session.rollback()
        return RedirectResponse(f"/plans?{urlencode({'error': str(failure)})}", status_code=303)
    word = "resumed" if active else "paused"
    return RedirectResponse(
        f"/plans?{urlencode({'saved': f'{plan.name} {word}'})}", status_code=303
    )
