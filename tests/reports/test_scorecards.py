"""Engineer scorecards on the KPI fixture, worked out by hand (SQLite and PostgreSQL).

November 2026, per engineer (the KPIs' engineer is the assignee; see kpi_fixture.py):

====================  ===========================  =========================  =====
part (weight)         ana (W1, W3, W4)             ben (W2; W5 ends in Dec)   stars
====================  ===========================  =========================  =====
first-time fix (30)   W1 yes, W3 reopened: 1/2     W2 two visits: 0/1         1, 1
response (25)         1 h, 3 h, 0.5 h: median 1    4 h, 73 h: median 38.5     5, 1
satisfaction (25)     recommends 10 and 8: NPS 50  recommends 3: NPS -100     4, 1
on-time (15)          3/3                          1/1                        5, 5
knowledge (5)         wrote 1 (3) + 2 uses by ben  applied 2 (2 points)       4, 3
                      = 5 points
overall               (30+125+100+75+20)/100=3.5   (30+25+25+75+15)/100=1.7
====================  ===========================  =========================  =====

cho is active without work: nothing rated, no stars. A retired engineer without work is left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from field import service as field
from field.models import EngineerLevel
from field.schemas import EngineerCreate
from knowledge import service as knowledge
from knowledge.models import ArticleCreate, UseKind
from reports.kpis import parse_period
from reports.scorecards.service import Scorecard, scorecards
from reports.scorecards.stars import overall
from reports.scorecards.weights import BadWeights, Part, Weights
from tests.reports.kpi_fixture import NOW, History, at, build
from tests.workorders.dbkit import Db
from vigil.settings import SettingsError, load_settings
from workorders.models import WorkOrder


def add_engineers(session: Session) -> None:
    """ana, ben, cho (active, no work) and dan (retired); ana's article used twice by ben."""
    for code, name, active in (
        ("ana", "Ana Alves", True),
        ("ben", "Ben Berger", True),
        ("cho", "Cho Chen", True),
        ("dan", "Dan Dorn", False),
    ):
        engineer = field.create_engineer(
            session=session,
            data=EngineerCreate(code=code, name=name, level=EngineerLevel.MID),
            now=at(10, 1),
        )
        engineer.active = active
    article = knowledge.create(
        session=session,
        data=ArticleCreate(title="Bearing noise on pumps", fault_codes=["mechanical"]),
        author="ana",
        now=at(11, 10),
    )
    work = {wo.number: wo for wo in session.scalars(sa.select(WorkOrder))}
    for wo in sorted(work)[:2]:
        knowledge.record_use(
            session=session,
            article_id=article.id,
            actor="Ben Berger (key 9, engineer)",
            kind=UseKind.APPLIED,
            now=at(11, 12),
            work_order_id=work[wo].id,
        )


@pytest.fixture
def history(db: Db) -> Iterator[tuple[Session, History]]:
    session = db.factory()
    built = build(session)
    add_engineers(session)
    session.commit()
    yield session, built
    session.close()


def _cards(session: Session, weights: Weights | None = None) -> dict[str, Scorecard]:
    got = scorecards(
        session=session, period=parse_period("2026-11"), weights=weights or Weights(), now=NOW
    )
    return {c.code: c for c in got}


def test_november_scorecards_match_the_hand_computed_stars(
    history: tuple[Session, History],
) -> None:
    session, _ = history
    cards = _cards(session)
    assert list(cards) == ["ana", "ben", "cho"]
    stars = {code: [p.stars for p in c.parts] for code, c in cards.items()}
    assert stars == {
        "ana": [1, 5, 4, 5, 4],
        "ben": [1, 1, 1, 5, 3],
        "cho": [None, None, None, None, 1],
    }
    values = {p.part: p.value for p in cards["ana"].parts}
    assert values == {
        Part.FIRST_TIME_FIX: 0.5,
        Part.RESPONSE: 1.0,
        Part.SATISFACTION: 50.0,
        Part.ON_TIME: 1.0,
        Part.KNOWLEDGE: 5.0,
    }
    assert [p.weight for p in cards["ana"].parts] == [30, 25, 25, 15, 5]
    assert (cards["ana"].stars, cards["ana"].full_stars) == (3.5, 4)
    assert (cards["ben"].stars, cards["ben"].full_stars) == (1.7, 2)
    assert (cards["cho"].stars, cards["cho"].full_stars) == (None, 0)


def test_one_engineer_and_other_weights(history: tuple[Session, History]) -> None:
    session, _ = history
    ben_id = _cards(session)["ben"].engineer_id
    only = scorecards(
        session=session,
        period=parse_period("2026-11"),
        weights=Weights(first_time_fix=0, response=0, satisfaction=0, on_time=100, knowledge=0),
        now=NOW,
        engineer_id=ben_id,
    )
    assert [(c.code, c.stars) for c in only] == [("ben", 5.0)]
    assert [p.weight for p in only[0].parts] == [0, 0, 0, 100, 0]


def test_weights_that_do_not_sum_to_100_are_refused_with_the_parts_named() -> None:
    with pytest.raises(BadWeights, match="sum to 100 %, these sum to 105 %"):
        Weights(first_time_fix=35)
    with pytest.raises(BadWeights, match="unknown speed; missing response"):
        Weights.of(
            {"first_time_fix": 30, "speed": 25, "satisfaction": 25, "on_time": 15, "knowledge": 5}
        )
    with pytest.raises(SettingsError, match=r"VIGIL_SCORECARD_WEIGHTS: .* sum to 90 %"):
        load_settings(
            scorecard_weights={
                "first_time_fix": 30,
                "response": 25,
                "satisfaction": 25,
                "on_time": 5,
                "knowledge": 5,
            }
        )


_weights = st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4).filter(
    lambda w: sum(w) <= 100
)


@given(
    cut=_weights,
    stars=st.lists(st.none() | st.integers(min_value=1, max_value=5), min_size=5, max_size=5),
)
def test_the_overall_stays_within_the_rated_parts_stars(
    cut: list[int], stars: list[int | None]
) -> None:
    weights = Weights.of(dict(zip(Part, [*cut, 100 - sum(cut)], strict=True)))
    got = overall(dict(zip(Part, stars, strict=True)), weights)
    rated = [s for p, s in zip(Part, stars, strict=True) if s is not None and weights.of_part(p)]
    if not rated:
        assert got is None or 1 <= got <= 5
        return
    assert got is not None
    assert min(rated) <= got <= max(rated)
    assert 1 <= got <= 5
