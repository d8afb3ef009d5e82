"""Full-text search on each database's own index: the same articles in the same order on SQLite
(FTS5) and PostgreSQL (tsvector) for a fixed corpus, whatever the query's syntax."""

from __future__ import annotations

from datetime import timedelta

import pytest

from knowledge import service
from knowledge.models import ArticleUpdate
from tests.knowledge.corpus import NOW, load
from tests.workorders.dbkit import Db

# query -> titles expected, best first (the same list on both databases).
EXPECTED: list[tuple[str, list[str]]] = [
    ("bearing", ["Motor bearing noise", "Pump bearing wear"]),
    ("bearings", ["Motor bearing noise", "Pump bearing wear"]),
    ("pump bearing", ["Pump bearing wear"]),
    ("leak", ["Chiller refrigerant leak", "Pump seal leak"]),
    ("leak -chiller", ["Pump seal leak"]),
    ("leak NOT refrigerant", ["Pump seal leak"]),
    ("E-42", ["Elevator door fault E-42"]),
    ("e42", ["Elevator door fault E-42"]),
    ("6205-2RS", ["Pump bearing wear"]),
    ("trapped passenger", ["Elevator trapped passenger procedure"]),
    ("cafe creme", ["Café crème machine descaling"]),
    ("CAFÉ", ["Café crème machine descaling"]),
    ("温度", ["冷水机组温度过高"]),
    # Stop words are words like any other (PostgreSQL's `english` would drop "the").
    ("the pump", ["Draft: pump impeller wear", "Pump bearing wear", "Pump seal leak"]),
    ("nothing-like-this", []),
    ('"', []),
    ("", []),
    ("bearing)", ["Motor bearing noise", "Pump bearing wear"]),
    ("impeller", ["Draft: pump impeller wear"]),  # drafts are found; archived are not
]


@pytest.mark.parametrize(("query", "titles"), EXPECTED, ids=[q or "empty" for q, _ in EXPECTED])
def test_search_finds_the_same_articles_in_the_same_order(
    db: Db, query: str, titles: list[str]
) -> None:
    with db.factory() as session:
        load(session)
        found = [a.title for a, _ in service.search(session=session, query=query)]
    assert found == titles


def test_an_edit_is_searchable_at_once_and_the_old_words_are_gone(db: Db) -> None:
    with db.factory() as session:
        ids = load(session)
        article_id = ids["Motor overheating"]
        assert [a.id for a, _ in service.search(session=session, query="cover")] == [article_id]
        service.update(
            session=session,
            article_id=article_id,
            data=ArticleUpdate(fix_steps=["Check the ventilation grille"]),
            now=NOW + timedelta(hours=1),
        )
        assert service.search(session=session, query="cover") == []
        assert [a.id for a, _ in service.search(session=session, query="grille")] == [article_id]


def test_scores_are_equal_on_both_databases(db: Db) -> None:
    with db.factory() as session:
        load(session)
        scores = [round(s, 6) for _, s in service.search(session=session, query="pump bearing")]
    assert scores == [pytest.approx(4.349767, abs=1e-6)]
