"""The knowledge base's pages: list and search articles, read one, write and edit them, and turn a
work order's resolution into a draft in one step.

Reading is for every staff key; writing for the roles of ``api.roles.KNOWLEDGE``, as in the API
(``api/routers/knowledge.py``). The forms post plain HTML with the session's CSRF token and call
the same ``knowledge.service`` functions as the API; a refused form is shown again with the
reason and what was typed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.dashboard.auth import CurrentViewer, Viewer, form_fields, same_origin
from api.dashboard.views import _page
from api.deps import PathId, SessionDep, actor
from api.roles import KNOWLEDGE
from knowledge import service
from knowledge.models import Article, ArticleCreate, ArticleRead, ArticleStatus, ArticleUpdate
from workorders import service as workorders
from workorders.errors import NotFound as WorkOrderNotFound

router = APIRouter(include_in_schema=False)
# Articles are longer than the other forms: 20,000 characters of symptom and of cause, steps.
FORM_LIMIT = 128 * 1024
_LINES = ("fix_steps", "parts", "attachments")
_COMMAS = ("fault_codes", "asset_types", "metrics")


def _writer(user: Viewer) -> bool:
    return user.role in KNOWLEDGE


def _article(session: SessionDep, article_id: int) -> Article:
    try:
        return service.get(session=session, article_id=article_id)
    except service.NotFound as error:
        raise HTTPException(404, detail=str(error)) from None


def _form_of(article: ArticleRead | None) -> dict[str, str]:
    """The form's fields as text: lists one per line, tags comma-separated."""
    if article is None:
        return {"status": ArticleStatus.DRAFT.value}
    fields: dict[str, str] = {
        "title": article.title,
        "status": article.status.value,
        "symptom": article.symptom,
        "cause": article.cause,
    }
    fields |= {name: "\n".join(getattr(article, name)) for name in _LINES}
    fields |= {name: ", ".join(getattr(article, name)) for name in _COMMAS}
    return fields


def _parsed(fields: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": fields.get("title", "").strip(),
        "status": fields.get("status") or ArticleStatus.DRAFT.value,
        "symptom": fields.get("symptom", "").strip(),
        "cause": fields.get("cause", "").strip(),
    }
    for name in _LINES:
        data[name] = [line.strip() for line in fields.get(name, "").splitlines() if line.strip()]
    for name in _COMMAS:
        data[name] = [v.strip() for v in fields.get(name, "").replace("\n", ",").split(",")]
        data[name] = [v for v in data[name] if v]
    return data


def _explain(error: ValidationError) -> str:
    names = {"fix_steps": "fix steps", "fault_codes": "fault codes", "asset_types": "asset types"}
    return "; ".join(
        f"{names.get(str(e['loc'][0]), str(e['loc'][0])) if e['loc'] else 'form'}: {e['msg']}"
        for e in error.errors()
    )


async def _posted(request: Request, user: Viewer) -> dict[str, str]:
    if not _writer(user):
        raise HTTPException(403, detail="your role may read the knowledge base, not edit it")
    fields = await form_fields(request, limit=FORM_LIMIT)
    if not same_origin(request) or fields.get("csrf_token") != user.csrf:
        raise HTTPException(403, detail="missing or wrong CSRF token, or a form from another site")
    return fields


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_page(
    request: Request,
    session: SessionDep,
    user: CurrentViewer,
    q: str = "",
    status: str = "",
) -> HTMLResponse:
    query = q.strip()[:500]
    wanted = ArticleStatus(status) if status in {s.value for s in ArticleStatus} else None
    rows: list[tuple[ArticleRead, float | None]]
    if query:
        hits = service.search(session=session, query=query, limit=50)
        rows = [(ArticleRead.of(a), score) for a, score in hits]
        if wanted is not None:
            rows = [(a, s) for a, s in rows if a.status is wanted]
    else:
        listed = service.list_articles(session=session, status=wanted, limit=200)
        rows = [(ArticleRead.of(a), None) for a in listed]
    return _page(
        request,
        "knowledge.html",
        user=user,
        nav="knowledge",
        rows=rows,
        q=query,
        status=wanted.value if wanted else "",
        statuses=list(ArticleStatus),
        can_write=_writer(user),
    )


def _form_page(
    request: Request,
    user: Viewer,
    *,
    fields: dict[str, str],
    article_id: int | None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    response = _page(
        request,
        "knowledge_form.html",
        user=user,
        nav="knowledge",
        form=fields,
        article_id=article_id,
        statuses=list(ArticleStatus),
        error=error,
    )
    response.status_code = status_code
    return response


@router.get("/knowledge/new", response_class=HTMLResponse)
def new_article_form(request: Request, user: CurrentViewer) -> HTMLResponse:
    if not _writer(user):
        raise HTTPException(403, detail="your role may read the knowledge base, not edit it")
    return _form_page(request, user, fields=_form_of(None), article_id=None)


@router.post("/knowledge/new", response_model=None)
async def create_article(request: Request, session: SessionDep, user: CurrentViewer) -> Response:
    fields = await _posted(request, user)
    try:
        data = ArticleCreate.model_validate(_parsed(fields))
    except ValidationError as error:
        return _form_page(
            request, user, fields=fields, article_id=None, error=_explain(error), status_code=422
        )
    article = service.create(session=session, data=data, author=actor(user.key), now=_now())
    session.commit()
    return RedirectResponse(f"/knowledge/{article.id}?saved=1", status_code=303)


@router.get("/knowledge/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: PathId, request: Request, session: SessionDep, user: CurrentViewer, saved: int = 0
) -> HTMLResponse:
    article = _article(session, article_id)
    source = (
        workorders.get_work_order(session=session, ref=article.source_work_order_id)
        if article.source_work_order_id
        else None
    )
    return _page(
        request,
        "knowledge_article.html",
        user=user,
        nav="knowledge",
        article=ArticleRead.of(article),
        source=source,
        saved=bool(saved),
        can_write=_writer(user),
    )


@router.get("/knowledge/{article_id}/edit", response_class=HTMLResponse)
def edit_article_form(
    article_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> HTMLResponse:
    if not _writer(user):
        raise HTTPException(403, detail="your role may read the knowledge base, not edit it")
    article = ArticleRead.of(_article(session, article_id))
    return _form_page(request, user, fields=_form_of(article), article_id=article_id)


@router.post("/knowledge/{article_id}/edit", response_model=None)
async def edit_article(
    article_id: PathId, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    fields = await _posted(request, user)
    _article(session, article_id)
    try:
        data = ArticleUpdate.model_validate(_parsed(fields))
    except ValidationError as error:
        return _form_page(
            request, user, fields=fields, article_id=article_id, error=_explain(error),
            status_code=422,
        )  # fmt: skip
    service.update(session=session, article_id=article_id, data=data, now=_now())
    session.commit()
    return RedirectResponse(f"/knowledge/{article_id}?saved=1", status_code=303)


@router.post("/work-orders/{number}/knowledge-article", response_model=None)
async def draft_from_work_order(
    number: str, request: Request, session: SessionDep, user: CurrentViewer
) -> Response:
    await _posted(request, user)
    try:
        wo = workorders.get_work_order(session=session, ref=number)
    except WorkOrderNotFound as error:
        raise HTTPException(404, detail=str(error)) from None
    try:
        article, _ = service.draft_from_work_order(
            session=session, work_order=wo, author=actor(user.key), now=_now()
        )
    except service.CannotDraft as error:
        session.rollback()
        return RedirectResponse(
            f"/work-orders/{wo.number}?error={quote(str(error)[:300])}", status_code=303
        )
    session.commit()
    return RedirectResponse(f"/knowledge/{article.id}/edit", status_code=303)


def _now() -> datetime:
    return datetime.now(UTC)
