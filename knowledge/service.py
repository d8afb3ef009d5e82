"""Knowledge-base articles: write, find, suggest for a work order, and record who used them."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from knowledge import search as fts
from knowledge.models import (
    Article,
    ArticleCreate,
    ArticleStatus,
    ArticleTag,
    ArticleUpdate,
    ArticleUse,
    TagKind,
    UseKind,
)
from knowledge.text import Query, index_text, tokens
from workorders.models import WorkOrder

# How much each kind of evidence counts in a suggestion; text counts up to TEXT_WEIGHT.
FAULT_CODE_WEIGHT = 3.0
ASSET_TYPE_WEIGHT = 1.0
METRIC_WEIGHT = 1.0
TEXT_WEIGHT = 2.0
# A draft is still worth showing (it may be the only record of a fix) but after a published one.
DRAFT_FACTOR = 0.8


class NotFound(LookupError):
    pass


class CannotDraft(ValueError):
    """The work order has nothing yet to write an article from."""


def _search_text(article: Article) -> str:
    # The title twice: a word in it says more about the article than one in the steps.
    return index_text(
        article.title,
        article.title,
        article.symptom,
        article.cause,
        *article.fix_steps,
        *article.parts,
    )


def _set_tags(article: Article, kind: TagKind, values: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    kept = [t for t in article.tags if t.kind != kind.value or t.value in wanted]
    have = {t.value for t in kept if t.kind == kind.value}
    article.tags = kept + [ArticleTag(kind=kind.value, value=v) for v in wanted if v not in have]


def create(*, session: Session, data: ArticleCreate, author: str, now: datetime) -> Article:
    article = Article(
        title=data.title.strip(),
        symptom=data.symptom,
        cause=data.cause,
        fix_steps=data.fix_steps,
        parts=data.parts,
        attachments=data.attachments,
        status=data.status.value,
        author=author,
        created_at=now,
        updated_at=now,
        tags=[],
    )
    _set_tags(article, TagKind.FAULT_CODE, data.fault_codes)
    _set_tags(article, TagKind.ASSET_TYPE, data.asset_types)
    _set_tags(article, TagKind.METRIC, data.metrics)
    article.search_text = _search_text(article)
    session.add(article)
    session.flush()
    return article


def get(*, session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"no knowledge article {article_id}")
    return article


def update(*, session: Session, article_id: int, data: ArticleUpdate, now: datetime) -> Article:
    article = get(session=session, article_id=article_id)
    fields = data.model_dump(exclude_unset=True)
    for kind, key in (
        (TagKind.FAULT_CODE, "fault_codes"),
        (TagKind.ASSET_TYPE, "asset_types"),
        (TagKind.METRIC, "metrics"),
    ):
        if fields.get(key) is not None:
            _set_tags(article, kind, fields.pop(key))
        fields.pop(key, None)
    for name, value in fields.items():
        if value is not None:
            setattr(article, name, value.value if isinstance(value, ArticleStatus) else value)
    article.search_text = _search_text(article)
    article.updated_at = now
    session.flush()
    return article


def list_articles(
    *, session: Session, status: ArticleStatus | None = None, limit: int = 100, offset: int = 0
) -> Sequence[Article]:
    query = sa.select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if status is not None:
        query = query.where(Article.status == status.value)
    return session.scalars(query.limit(limit).offset(offset)).all()


def search(*, session: Session, query: str, limit: int = 20) -> list[tuple[Article, float]]:
    return fts.search(session=session, query=query, limit=limit)


@dataclass(frozen=True)
class Suggested:
    article: Article
    score: float
    reasons: list[str]


def suggest(
    *,
    session: Session,
    fault_code: str | None,
    asset_type: str | None,
    metrics: Iterable[str] = (),
    text: str = "",
    limit: int = 5,
) -> list[Suggested]:
    """Articles for a problem, each with why: its fault code, asset type, metrics and words."""
    evidence: dict[int, tuple[float, list[str]]] = {}

    def add(article_id: int, points: float, reason: str) -> None:
        score, reasons = evidence.get(article_id, (0.0, []))
        evidence[article_id] = (score + points, [*reasons, reason])

    tagged = [
        (TagKind.FAULT_CODE, [fault_code] if fault_code else [], FAULT_CODE_WEIGHT),
        (TagKind.ASSET_TYPE, [asset_type] if asset_type else [], ASSET_TYPE_WEIGHT),
        (TagKind.METRIC, list(metrics), METRIC_WEIGHT),
    ]
    for kind, values, weight in tagged:
        if not values:
            continue
        rows = session.execute(
            sa.select(ArticleTag.article_id, ArticleTag.value)
            .where(ArticleTag.kind == kind.value, ArticleTag.value.in_(values))
            .order_by(ArticleTag.article_id, ArticleTag.value)
        )
        for article_id, value in rows:
            add(article_id, weight, f"{kind.value.replace('_', ' ')} {value}")

    terms = list(dict.fromkeys(tokens(text)))
    if terms:
        hits = fts.search(session=session, query=Query(tuple(terms)), limit=50, any_term=True)
        best = hits[0][1] if hits and hits[0][1] > 0 else 1.0
        for article, score in hits:
            words = sorted(set(article.search_text.split()) & set(terms))
            add(article.id, TEXT_WEIGHT * score / best, "words: " + ", ".join(words[:5]))

    if not evidence:
        return []
    articles = {
        a.id: a
        for a in session.scalars(
            sa.select(Article).where(
                Article.id.in_(evidence), Article.status.in_(list(fts.VISIBLE))
            )
        )
    }
    found = []
    for article_id, (score, reasons) in evidence.items():
        candidate = articles.get(article_id)
        if candidate is None:  # archived
            continue
        if candidate.status == ArticleStatus.DRAFT.value:
            score *= DRAFT_FACTOR
            reasons = [*reasons, "draft, not yet reviewed"]
        found.append(Suggested(candidate, round(score, 6), reasons))
    found.sort(key=lambda s: (-s.score, s.article.id))
    return found[:limit]


def suggest_for_work_order(
    *, session: Session, work_order: WorkOrder, text: str = "", limit: int = 5
) -> list[Suggested]:
    return suggest(
        session=session,
        fault_code=work_order.fault_code,
        asset_type=work_order.asset.asset_type,
        metrics=_top_metrics(work_order.top_metrics),
        text=" ".join(filter(None, [work_order.fault_title, text])),
        limit=limit,
    )


def _top_metrics(top: Mapping[str, float]) -> list[str]:
    return [name for name, _ in sorted(top.items(), key=lambda kv: -abs(kv[1]))[:3]]


def draft_from_work_order(
    *, session: Session, work_order: WorkOrder, author: str, now: datetime
) -> tuple[Article, bool]:
    """A draft article from a resolved work order's notes, in one step.

    Returns the article and whether it is new: a second call for the same work order returns
    the article already written from it instead of a copy.
    """
    existing = session.scalars(
        sa.select(Article).where(Article.source_work_order_id == work_order.id)
    ).first()
    if existing is not None:
        return existing, False
    notes = (work_order.resolution_notes or "").strip()
    if not notes:
        raise CannotDraft(
            f"work order {work_order.number} has no resolution notes yet: "
            "record the resolution with notes, then write the article from it"
        )
    steps = [line.strip(" -*\t") for line in notes.splitlines() if line.strip(" -*\t")]
    metrics = _top_metrics(work_order.top_metrics)
    symptom = work_order.fault_title
    if metrics:
        symptom += " (contributing: " + ", ".join(metrics) + ")"
    data = ArticleCreate(
        title=f"{work_order.fault_title}: {steps[0]}"[:200],
        symptom=symptom,
        cause=(work_order.resolution_code or "").replace("_", " "),
        fix_steps=steps,
        parts=list(work_order.parts_used),
        fault_codes=[work_order.fault_code],
        asset_types=[work_order.asset.asset_type],
        metrics=metrics,
        status=ArticleStatus.DRAFT,
    )
    article = create(session=session, data=data, author=author, now=now)
    article.source_work_order_id = work_order.id
    session.flush()
    return article, True


def record_use(
    *,
    session: Session,
    article_id: int,
    actor: str,
    kind: UseKind,
    now: datetime,
    work_order_id: uuid.UUID | None = None,
) -> ArticleUse:
    get(session=session, article_id=article_id)
    use = ArticleUse(
        article_id=article_id, work_order_id=work_order_id, actor=actor, kind=kind.value, at=now
    )
    session.add(use)
    session.flush()
    return use


@dataclass(frozen=True)
class Contribution:
    actor: str
    written: int
    used: int
    used_by_others: int


def contributions(*, session: Session, since: datetime, until: datetime) -> list[Contribution]:
    """Per person: articles written, articles applied, and uses of their articles by others."""
    written = Counter(
        name
        for (name,) in session.execute(
            sa.select(Article.author).where(
                Article.created_at >= since,
                Article.created_at < until,
                Article.status != ArticleStatus.ARCHIVED.value,
            )
        )
    )
    in_period = (ArticleUse.at >= since, ArticleUse.at < until)
    used = Counter(
        name
        for (name,) in session.execute(
            sa.select(ArticleUse.actor).where(*in_period, ArticleUse.kind == UseKind.APPLIED.value)
        )
    )
    by_others = Counter(
        name
        for (name,) in session.execute(
            sa.select(Article.author)
            .join(ArticleUse, ArticleUse.article_id == Article.id)
            .where(*in_period, ArticleUse.actor != Article.author)
        )
    )
    people = sorted(set(written) | set(used) | set(by_others))
    return [Contribution(p, written.get(p, 0), used.get(p, 0), by_others.get(p, 0)) for p in people]
