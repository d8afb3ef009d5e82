"""The dispatch board: open work orders with their best suggestions and a dispatch button.

Stable element ids (the browser tests click them):

- ``dispatch-board``: the board; ``dispatch-wo-<number>``: one work order's row;
- ``suggest-<number>-<engineer code>``: one suggestion; ``dispatch-<number>-<engineer code>``:
  its button (class ``js-dispatch``, shown to roles that may dispatch);
- ``no-candidate-<number>``: the plain "no candidate" statement;
- ``assigned-<number>``: who the work order is dispatched to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import CurrentViewer, Viewer
from api.dashboard.views import _page
from api.deps import SessionDep
from api.roles import DISPATCH
from api.routers.engineers import ScoringDep
from field import flows
from field.flows import Scoring, Suggestions
from field.models import Dispatch, Engineer
from field.service import holds
from workorders.models import Status, WorkOrder

router = APIRouter(include_in_schema=False)
SHOWN = (Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED, Status.DISPATCHED)
TOP = 3
LIMIT = 50


@dataclass(frozen=True, slots=True)
class Row:
    found: Suggestions
    assigned: Engineer | None


def _rows(session: SessionDep, scoring: Scoring) -> list[Row]:
    now = datetime.now(UTC)
    orders = session.scalars(
        sa.select(WorkOrder)
        .where(WorkOrder.status.in_(SHOWN))
        .order_by(WorkOrder.on_site_by, WorkOrder.number)
        .limit(LIMIT)
    ).all()
    team = flows.read_team(session=session, scoring=scoring)
    by_id = {e.id: e for e in team.engineers}
    active = dict(
        session.execute(
            sa.select(Dispatch.work_order_id, Dispatch.engineer_id)
            .join(WorkOrder, WorkOrder.id == Dispatch.work_order_id)
            .where(holds(), Dispatch.work_order_id.in_([wo.id for wo in orders]))
        ).all()
    )
    rows = []
    for wo in orders:
        found = flows.suggest(
            session=session, work_order_id=wo.id, now=now, scoring=scoring, team=team
        )
        engineer_id = active.get(wo.id)
        assigned = by_id.get(engineer_id) if engineer_id is not None else None
        if engineer_id is not None and assigned is None:
            assigned = session.get(Engineer, engineer_id)  # retired since
        rows.append(Row(found, assigned))
    return rows


def _context(session: SessionDep, scoring: Scoring, user: Viewer) -> dict[str, Any]:
    return {"rows": _rows(session, scoring), "top": TOP, "can_dispatch": user.key.role in DISPATCH}


@router.get("/dispatch", response_class=HTMLResponse)
def dispatch_page(
    request: Request, session: SessionDep, scoring: ScoringDep, user: CurrentViewer
) -> HTMLResponse:
    return _page(
        request, "dispatch.html", user=user, nav="dispatch", **_context(session, scoring, user)
    )


@router.get("/fragments/dispatch", response_class=HTMLResponse)
def dispatch_fragment(
    request: Request, session: SessionDep, scoring: ScoringDep, user: CurrentViewer
) -> HTMLResponse:
    return _page(request, "_dispatch.html", user=user, **_context(session, scoring, user))
