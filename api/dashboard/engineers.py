"""The office's engineer pages: every engineer's scorecard for a month, and one engineer with
each scorecard part visible (figure, weight, stars) beside their skills and certifications."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import CurrentViewer
from api.dashboard.views import _page
from api.deps import ConfigDep, PathId, SessionDep
from api.roles import STAFF
from api.routers.scorecards import period_of
from field.models import Engineer
from reports.scorecards.service import scorecards

router = APIRouter(include_in_schema=False)


def _refused(user: CurrentViewer) -> HTMLResponse | None:
    if user.role in STAFF:
        return None
    return HTMLResponse(f"role '{user.role.value}' may not see engineers' scorecards", 403)


def _period(text: str | None) -> tuple[str | None, str | None]:
    """(the period's label, an error message)."""
    try:
        return period_of(text, datetime.now(UTC)).label, None
    except HTTPException as error:
        return None, str(error.detail)


@router.get("/engineers", response_class=HTMLResponse)
def engineers_page(
    request: Request,
    session: SessionDep,
    user: CurrentViewer,
    config: ConfigDep,
    period: str | None = None,
) -> HTMLResponse:
    if (refused := _refused(user)) is not None:
        return refused
    label, error = _period(period)
    cards = []
    if label is not None:
        chosen = period_of(label, datetime.now(UTC))
        cards = scorecards(session=session, period=chosen, weights=config.scorecard_weights)
    response = _page(
        request,
        "engineers.html",
        user=user,
        nav="engineers",
        period=label,
        cards=cards,
        error=error,
        weights=config.scorecard_weights,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/engineers/{engineer_id}", response_class=HTMLResponse)
def engineer_page(
    engineer_id: PathId,
    request: Request,
    session: SessionDep,
    user: CurrentViewer,
    config: ConfigDep,
    period: str | None = None,
) -> HTMLResponse:
    if (refused := _refused(user)) is not None:
        return refused
    engineer = session.get(Engineer, engineer_id) if 0 < engineer_id < 2**31 else None
    if engineer is None:
        response = _page(
            request, "not_found.html", user=user, nav="engineers", what=f"engineer {engineer_id}"
        )
        response.status_code = 404
        return response
    label, error = _period(period)
    card = None
    if label is not None:
        chosen = period_of(label, datetime.now(UTC))
        found = scorecards(
            session=session,
            period=chosen,
            weights=config.scorecard_weights,
            engineer_id=engineer.id,
        )
        card = found[0] if found else None
    response = _page(
        request,
        "engineer.html",
        user=user,
        nav="engineers",
        engineer=engineer,
        period=label,
        card=card,
        error=error,
    )
    if error:
        response.status_code = 422
    return response
