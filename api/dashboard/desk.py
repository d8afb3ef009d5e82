"""The service desk's pages: requests (list and form), customers, classification rules, and the
customer portal (``/portal``) for keys bound to a customer; the engineer's pages are in ``phone.py``.

Forms post as plain HTML forms with the session's CSRF token; the service functions do the
work, exactly as for the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.dashboard.auth import AnyViewer, CurrentViewer, Viewer, form_fields, home_of, same_origin
from api.dashboard.views import _page
from api.deps import PathId, SessionDep, actor
from api.roles import RECORDS, REQUEST, Role
from customers import assets, contracts, service, sites
from customers.errors import RecordError
from workorders import browse
from workorders import service as workorders
from workorders.requests import rulebook
from workorders.requests import service as requests
from workorders.requests.models import Category, Channel

router = APIRouter(include_in_schema=False)
STAFF_CHANNELS = [c for c in Channel if c not in (Channel.PORTAL, Channel.ALERT)]


def _form_context(session: SessionDep, customer_id: int | None) -> dict[str, Any]:
    return {
        "categories": list(Category),
        "channels": STAFF_CHANNELS,
        "assets": [
            a
            for a in assets.list_assets(session=session, customer_id=customer_id)
            if a.site_id is not None
        ],
        "sites": sites.list_sites(session=session, customer_id=customer_id),
    }


async def _raise_from_form(
    request: Request, session: SessionDep, user: Viewer, customer_id: int | None
) -> tuple[str | None, str | None]:
    """(message, error) after raising the request the form describes."""
    fields = await form_fields(request)
    if not same_origin(request) or fields.get("csrf_token") != user.csrf:
        raise HTTPException(403, detail="missing or wrong CSRF token, or a form from another site")
    target = fields.get("target", "")
    kind, _, ident = target.partition(":")
    try:
        if kind not in ("asset", "site") or not ident.isdecimal():
            raise RecordError("choose the equipment or the site the request is about")
        raised = requests.raise_request(
            session=session,
            data=requests.RequestData(
                channel=Channel.PORTAL
                if customer_id is not None
                else Channel(fields.get("channel") or "hotline"),
                category=Category(fields.get("category") or "troubleshooting"),
                description=fields.get("description", ""),
                asset_id=int(ident) if kind == "asset" else None,
                site_id=int(ident) if kind == "site" else None,
                contact_name=fields.get("contact_name") or None,
                contact_phone=fields.get("contact_phone") or None,
            ),
            actor=actor(user.key),
            now=datetime.now(UTC),
            customer_id=customer_id,
        )
    except (RecordError, ValueError) as error:
        session.rollback()
        return None, str(error)
    wo = raised.work_order
    verb = {"created": "opened", "attached": "added to", "reopened": "reopened"}[
        raised.request.outcome.value
    ]
    return (
        f"Request {raised.request.number} {verb} work order {wo.number} ({wo.priority.value}).",
        None,
    )


# --- staff ------------------------------------------------------------------------------------


@router.get("/requests", response_class=HTMLResponse)
def requests_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _requests_page(request, session, user)


def _requests_page(
    request: Request,
    session: SessionDep,
    user: Viewer,
    message: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    rows = requests.list_requests(session=session, limit=100)
    numbers = {
        wo.id: wo.number
        for wo in (workorders.get_work_order(session=session, ref=r.work_order_id) for r in rows)
    }
    return _page(
        request,
        "requests.html",
        user=user,
        nav="requests",
        rows=rows,
        numbers=numbers,
        can_raise=user.key.role in REQUEST,
        message=message,
        error=error,
        **_form_context(session, None),
    )


@router.post("/requests", response_class=HTMLResponse)
async def raise_request(request: Request, session: SessionDep, user: CurrentViewer) -> Response:
    if user.key.role not in REQUEST:
        raise HTTPException(403, detail=f"role '{user.key.role}' may not raise requests")
    message, error = await _raise_from_form(request, session, user, None)
    if error is None:
        session.commit()
    page = _requests_page(request, session, user, message, error)
    page.status_code = 422 if error else 200
    return page


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _page(
        request,
        "customers.html",
        user=user,
        nav="customers",
        customers=service.list_customers(session=session),
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    customer_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> HTMLResponse:
    try:
        customer = service.get_customer(session=session, customer_id=customer_id)
    except RecordError:
        response = _page(
            request, "not_found.html", user=user, nav="customers", what=f"customer {customer_id}"
        )
        response.status_code = 404
        return response
    return _page(
        request,
        "customer.html",
        user=user,
        nav="customers",
        customer=customer,
        history=service.tier_history(session=session, customer_id=customer_id),
        contracts=contracts.list_contracts(session=session, customer_id=customer_id),
        assets=assets.list_assets(session=session, customer_id=customer_id),
        can_edit=user.key.role in RECORDS,
    )


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, session: SessionDep, user: CurrentViewer) -> HTMLResponse:
    return _page(
        request,
        "rules.html",
        user=user,
        nav="rules",
        rules=rulebook.list_rules(session=session),
        can_edit=user.key.role in RECORDS,
    )


# --- the customer portal and the engineer's list ------------------------------------------------


def _bound(user: Viewer, role: Role) -> Response | None:
    """A redirect to the viewer's own pages when this page is not theirs."""
    if user.role is not role:
        return RedirectResponse(home_of(user.role), status_code=303)
    return None


def _portal(
    request: Request,
    session: SessionDep,
    user: Viewer,
    message: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    customer_id = user.key.customer_id if user.key.customer_id is not None else -1
    page = browse.list_work_orders(session=session, customer_id=customer_id, limit=500)
    return _page(
        request,
        "portal.html",
        user=user,
        nav="portal",
        customer=service.list_customers(session=session, customer_id=customer_id),
        work_orders=sorted(page.items, key=lambda wo: wo.created_at, reverse=True),
        message=message,
        error=error,
        **_form_context(session, customer_id),
    )


@router.get("/portal", response_class=HTMLResponse, response_model=None)
def portal_page(request: Request, session: SessionDep, user: AnyViewer) -> Response:
    return _bound(user, Role.customer) or _portal(request, session, user)


@router.post("/portal/requests", response_class=HTMLResponse, response_model=None)
async def portal_request(request: Request, session: SessionDep, user: AnyViewer) -> Response:
    elsewhere = _bound(user, Role.customer)
    if elsewhere is not None:
        return elsewhere
    customer_id = user.key.customer_id if user.key.customer_id is not None else -1
    message, error = await _raise_from_form(request, session, user, customer_id)
    if error is None:
        session.commit()
    page = _portal(request, session, user, message, error)
    page.status_code = 422 if error else 200
    return page
