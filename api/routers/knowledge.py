"""Knowledge-base articles: search, read, write, suggestions for a work order, uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel

from api.deps import CurrentKey, CurrentWorkOrder, KnowledgeKey, SessionDep, actor
from knowledge import service
from knowledge.models import (
    ArticleCreate,
    ArticleRead,
    ArticleStatus,
    ArticleUpdate,
    SearchHit,
    Suggestion,
    UseCreate,
)
from workorders import service as workorders

router = APIRouter(tags=["knowledge"])
# Ids and offsets beyond what a database integer holds are refused as input, not overflowed.
ArticleId = Annotated[int, Path(ge=1, le=2**62)]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such article"}}


def _article(session: SessionDep, article_id: int) -> Any:
    try:
        return service.get(session=session, article_id=article_id)
    except service.NotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None


@router.get(
    "/knowledge/articles",
    response_model=list[SearchHit],
    summary="Search articles by keywords (`-word` or `NOT word` excludes), or list them",
)
def list_articles(
    session: SessionDep,
    key: CurrentKey,
    q: Annotated[str | None, Query(max_length=500)] = None,
    status_: Annotated[ArticleStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> list[SearchHit]:
    if q is not None and q.strip():
        hits = service.search(session=session, query=q, limit=limit)
        return [SearchHit(article=ArticleRead.of(a), score=s) for a, s in hits]
    rows = service.list_articles(session=session, status=status_, limit=limit, offset=offset)
    return [SearchHit(article=ArticleRead.of(a), score=0.0) for a in rows]


@router.post(
    "/knowledge/articles",
    response_model=ArticleRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write an article",
)
def create_article(body: ArticleCreate, session: SessionDep, key: KnowledgeKey) -> ArticleRead:
    article = service.create(session=session, data=body, author=actor(key), now=datetime.now(UTC))
    return ArticleRead.of(article)


@router.get(
    "/knowledge/articles/{article_id}",
    response_model=ArticleRead,
    responses=_NOT_FOUND,
    summary="One article",
)
def get_article(article_id: ArticleId, session: SessionDep, key: CurrentKey) -> ArticleRead:
    return ArticleRead.of(_article(session, article_id))


@router.patch(
    "/knowledge/articles/{article_id}",
    response_model=ArticleRead,
    responses=_NOT_FOUND,
    summary="Edit an article (publish or archive it with `status`)",
)
def update_article(
    article_id: ArticleId, body: ArticleUpdate, session: SessionDep, key: KnowledgeKey
) -> ArticleRead:
    _article(session, article_id)
    article = service.update(
        session=session, article_id=article_id, data=body, now=datetime.now(UTC)
    )
    return ArticleRead.of(article)


@router.post(
    "/knowledge/articles/{article_id}/uses",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="Record that you read or applied an article (on a work order)",
)
def record_use(
    article_id: ArticleId, body: UseCreate, session: SessionDep, key: CurrentKey
) -> Response:
    _article(session, article_id)
    work_order_id = None
    if body.work_order is not None:
        work_order_id = workorders.get_work_order(session=session, ref=body.work_order).id
    service.record_use(
        session=session,
        article_id=article_id,
        actor=actor(key),
        kind=body.kind,
        now=datetime.now(UTC),
        work_order_id=work_order_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/work-orders/{ref}/suggested-articles",
    response_model=list[Suggestion],
    summary="Articles for this work order's fault, asset type, metrics and words, with reasons",
)
def suggested_articles(
    wo: CurrentWorkOrder,
    session: SessionDep,
    key: CurrentKey,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[Suggestion]:
    found = service.suggest_for_work_order(session=session, work_order=wo, limit=limit)
    return [
        Suggestion(article=ArticleRead.of(s.article), score=s.score, reasons=s.reasons)
        for s in found
    ]


@router.post(
    "/work-orders/{ref}/knowledge-article",
    response_model=ArticleRead,
    responses={
        200: {"description": "The article already written from this work order"},
        201: {"description": "A new draft article"},
        422: {"description": "The work order has no resolution notes yet"},
    },
    status_code=status.HTTP_201_CREATED,
    summary="Turn this work order's resolution into a draft article, in one step",
)
def draft_article(
    wo: CurrentWorkOrder, session: SessionDep, key: KnowledgeKey, response: Response
) -> ArticleRead:
    try:
        article, new = service.draft_from_work_order(
            session=session, work_order=wo, author=actor(key), now=datetime.now(UTC)
        )
    except service.CannotDraft as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error)) from None
    if not new:
        response.status_code = status.HTTP_200_OK
    return ArticleRead.of(article)


class ContributionRead(BaseModel):
    actor: str
    written: int
    used: int
    used_by_others: int


@router.get(
    "/knowledge/contributions",
    response_model=list[ContributionRead],
    summary="Articles written and used per person in a period (default: the last 30 days)",
)
def contributions(
    session: SessionDep,
    key: CurrentKey,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ContributionRead]:
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=30)
    if since.tzinfo is None or until.tzinfo is None:
        raise HTTPException(422, detail="since and until need a time zone, e.g. 2026-11-01T00:00Z")
    rows = service.contributions(session=session, since=since, until=until)
    return [ContributionRead(**vars(c)) for c in rows]
