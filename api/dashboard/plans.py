"""The preventive-plans page: every plan, what each asset has coming next, recent occurrences.

Read-only for the whole staff; plans are created and changed through ``/api/v1/plans`` or
``vigil plans``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import CurrentViewer
from api.dashboard.views import _page
from api.deps import SessionDep
from api.roles import STAFF
from planning import service

router = APIRouter(include_in_schema=False)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    if user.role not in STAFF:
        return HTMLResponse(f"role '{user.role.value}' may not see plans", status_code=403)
    plans = [
        service.plan_read(session=session, plan=p) for p in service.list_plans(session=session)
    ]
    return _page(
        request,
        "plans.html",
        user=user,
        nav="plans",
        plans=plans,
        names={p.id: p.name for p in plans},
        upcoming=service.upcoming(session=session),
        occurrences=service.list_occurrences(session=session, limit=50),
    )
