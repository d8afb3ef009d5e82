"""A work order as the office sees it: what it is about, its resolution, who was sent with which
parts held, what the customer was told, the articles that may help, and the button that turns the
resolution into a draft article (``api/dashboard/knowledge.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import CurrentViewer
from api.dashboard.views import _page
from api.deps import SessionDep
from api.roles import KNOWLEDGE
from field.flows import dispatches
from field.models import Engineer
from knowledge import service as knowledge
from knowledge.models import Article
from workorders import service as workorders
from workorders.errors import NotFound
from workorders.notices.outbox import notices_of

router = APIRouter(include_in_schema=False)


@router.get("/work-orders/{number}", response_class=HTMLResponse)
def work_order_page(
    number: str, request: Request, session: SessionDep, user: CurrentViewer, error: str = ""
) -> HTMLResponse:
    try:
        wo = workorders.get_work_order(session=session, ref=number)
    except NotFound as missing:
        raise HTTPException(404, detail=str(missing)) from None
    sent = dispatches(session=session, work_order_id=wo.id)
    names = dict(
        session.execute(
            sa.select(Engineer.id, Engineer.name).where(
                Engineer.id.in_({d.engineer_id for d in sent})
            )
        ).all()
    )
    drafted = session.scalars(
        sa.select(Article).where(Article.source_work_order_id == wo.id)
    ).first()
    return _page(
        request,
        "work_order.html",
        user=user,
        nav="board",
        wo=wo,
        dispatches=[(d, names.get(d.engineer_id, str(d.engineer_id))) for d in reversed(sent)],
        notices=notices_of(session=session, work_order_id=wo.id),
        suggested=knowledge.suggest_for_work_order(session=session, work_order=wo),
        drafted=drafted,
        can_draft=user.role in KNOWLEDGE and bool((wo.resolution_notes or "").strip()),
        error=error[:300] or None,
    )
