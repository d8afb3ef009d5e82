"""Full-text search over the knowledge base with the database's own index.

SQLite: an FTS5 table over ``kb_articles.search_text`` kept in step by triggers. PostgreSQL: a
GIN index on ``to_tsvector('simple', search_text)``. Both index the same pre-normalised tokens
(``knowledge.text``), so both find the same articles; the ranking (BM25 over those tokens) is
computed here rather than by ``bm25()`` or ``ts_rank``, so both also give the same order, ties
broken by id.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from knowledge.models import Article, ArticleStatus
from knowledge.text import Query, parse_query

FTS_TABLE = "kb_articles_fts"
_K1 = 1.2
_B = 0.75
VISIBLE = (ArticleStatus.PUBLISHED.value, ArticleStatus.DRAFT.value)


def _sqlite_match(include: Sequence[str], exclude: Sequence[str], *, any_term: bool) -> str:
    # Every token is quoted: FTS5 reads a bare hyphen, colon or keyword as syntax.
    joined = (" OR " if any_term else " AND ").join(f'"{t}"' for t in include)
    if exclude:
        joined = f"({joined})" + "".join(f' NOT "{t}"' for t in exclude)
    return joined


def _pg_tsquery(include: Sequence[str], exclude: Sequence[str], *, any_term: bool) -> str:
    # Tokens are letters and digits only (knowledge.text), so none is tsquery syntax.
    joined = (" | " if any_term else " & ").join(include)
    return f"({joined})" + "".join(f" & !{t}" for t in exclude)


def matching_ids(
    session: Session, include: Sequence[str], exclude: Sequence[str] = (), *, any_term: bool
) -> set[int]:
    """Ids of the articles the database's full-text index matches (any status)."""
    if not include:
        return set()
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(
            sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q"),
            {"q": _sqlite_match(include, exclude, any_term=any_term)},
        )
    else:
        rows = session.execute(
            sa.text(
                "SELECT id FROM kb_articles "
                "WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', :q)"
            ),
            {"q": _pg_tsquery(include, exclude, any_term=any_term)},
        )
    return {int(row[0]) for row in rows}


def _corpus(session: Session) -> tuple[int, float]:
    """Number of visible articles and their mean length in tokens."""
    length = sa.func.length(Article.search_text) - sa.func.length(
        sa.func.replace(Article.search_text, " ", "")
    )
    count, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(length + 1), 0)).where(
            Article.status.in_(VISIBLE), Article.search_text != ""
        )
    ).one()
    return int(count), (float(total) / count if count else 1.0)


def _document_frequency(session: Session, term: str) -> int:
    ids = matching_ids(session, [term], any_term=False)
    if not ids:
        return 0
    count = session.scalar(
        sa.select(sa.func.count()).where(Article.id.in_(ids), Article.status.in_(VISIBLE))
    )
    return int(count or 0)


def rank(
    session: Session, articles: Iterable[Article], terms: Sequence[str]
) -> list[tuple[Article, float]]:
    """BM25 of each article for the terms, highest first, ties by id."""
    n, mean_length = _corpus(session)
    df = {term: _document_frequency(session, term) for term in set(terms)}
    scored = []
    for article in articles:
        counts = Counter(article.search_text.split())
        length = sum(counts.values()) or 1
        score = 0.0
        for term in terms:
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            score += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / mean_length))
        scored.append((article, round(score, 9)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].id))
    return scored


def search(
    *,
    session: Session,
    query: Query | str,
    limit: int = 20,
    statuses: Sequence[str] = VISIBLE,
    any_term: bool = False,
) -> list[tuple[Article, float]]:
    """Articles matching every keyword (or any, with ``any_term``), best first."""
    parsed = parse_query(query) if isinstance(query, str) else query
    if parsed.empty:
        return []
    ids = matching_ids(session, parsed.all_of, parsed.none_of, any_term=any_term)
    if not ids:
        return []
    articles = session.scalars(
        sa.select(Article).where(Article.id.in_(ids), Article.status.in_(list(statuses)))
    ).all()
    return rank(session, articles, parsed.all_of)[:limit]
