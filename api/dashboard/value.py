"""The customer value page: every customer's R, F and M scores, class and proposed tier, with
accept and override buttons for service managers and admins (everyone on the staff reads it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.dashboard.auth import CurrentViewer, form_fields, same_origin
from api.dashboard.views import _page
from api.deps import SessionDep, actor
from api.roles import RECORDS, STAFF
from api.routers.customer_value import rows_of
from customers import tiers
from customers.errors import Conflict, RecordError
from customers.models import Tier

router = APIRouter(include_in_schema=False)
PAGE = "/customer-value"


def _context(session: SessionDep, user: CurrentViewer, period: str | None) -> dict[str, Any]:
    shown, rows = rows_of(session, period)
    return {
        "period": shown,
        "rows": rows,
        "tiers": list(Tier),
        "can_decide": user.role in RECORDS,
        "error": None,
        "saved": None,
    }


@router.get(PAGE, response_class=HTMLResponse)
def value_page(
    request: Request,
    session: SessionDep,
    user: CurrentViewer,
    period: str | None = None,
    saved: str | None = None,
) -> HTMLResponse:
    if user.role not in STAFF:
        return HTMLResponse(f"role '{user.role.value}' may not see customer value", 403)
    context = _context(session, user, period) | {"saved": saved}
    return _page(request, "customer_value.html", user=user, nav="customers", **context)


@router.post(PAGE + "/proposals/{proposal_id}", response_model=None)
async def decide(
    proposal_id: int, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    fields = await form_fields(request)
    if not same_origin(request) or fields.get("csrf_token") != user.csrf:
        return Response("missing or wrong CSRF token", status_code=403)
    if user.role not in RECORDS:
        return HTMLResponse(f"role '{user.role.value}' may not decide tiers", 403)
    period = fields.get("period") or None
    try:
        override = fields.get("action") == "override"
        row = tiers.decide(
            session=session,
            proposal_id=proposal_id,
            actor=actor(user.key),
            now=datetime.now(UTC),
            tier=Tier(fields.get("tier", "")) if override else None,
            reason=fields.get("reason"),
        )
    except (RecordError, ValueError) as error:
        session.rollback()
        message = "choose a tier" if isinstance(error, ValueError) else str(error)
        context = _context(session, user, period) | {"error": f"Not saved: {message}"}
        response = _page(request, "customer_value.html", user=user, nav="customers", **context)
        response.status_code = 409 if isinstance(error, Conflict) else 422
        return response
    return RedirectResponse(f"{PAGE}?period={row.period}&saved={row.customer_id}", 303)
