"""Survey arithmetic: the stated weights, the three outcomes and NPS, with property tests."""

from __future__ import annotations

import doctest
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.surveys import schedule, scoring
from followup.surveys.scoring import WEIGHTS, Outcome, nps, outcome_of, weighted_score

rating = st.one_of(st.none(), st.integers(1, 5))
answers = st.fixed_dictionaries(dict.fromkeys(WEIGHTS, rating))
recommend = st.one_of(st.none(), st.integers(0, 10))


def test_docstring_examples() -> None:
    for module in (scoring, schedule):
        assert doctest.testmod(module).failed == 0


def test_weights_are_40_30_20_10_in_the_order_asked() -> None:
    assert list(WEIGHTS.items()) == [
        ("overall", 40),
        ("speed", 30),
        ("competence", 20),
        ("communication", 10),
    ]


@pytest.mark.parametrize(
    ("given_answers", "expected"),
    [
        ({"overall": 5, "speed": 5, "competence": 5, "communication": 5}, Fraction(5)),
        # 0.4*4 + 0.3*3 + 0.2*2 + 0.1*1 = 1.6 + 0.9 + 0.4 + 0.1 = 3.0
        ({"overall": 4, "speed": 3, "competence": 2, "communication": 1}, Fraction(3)),
        # 0.4*1 + 0.3*2 + 0.2*3 + 0.1*4 = 2.0
        ({"overall": 1, "speed": 2, "competence": 3, "communication": 4}, Fraction(2)),
        # Communication unanswered: (40*5 + 30*4 + 20*3) / 90 = 380/90
        ({"overall": 5, "speed": 4, "competence": 3, "communication": None}, Fraction(38, 9)),
        ({"overall": None, "speed": None, "competence": None, "communication": None}, None),
    ],
)
def test_worked_examples(given_answers: dict[str, int | None], expected: Fraction | None) -> None:
    assert weighted_score(given_answers, WEIGHTS) == expected


@given(answers)
def test_score_is_the_weighted_mean_of_the_answered_questions(a: dict[str, int | None]) -> None:
    score = weighted_score(a, WEIGHTS)
    answered = {k: v for k, v in a.items() if v is not None}
    if not answered:
        assert score is None
        return
    assert score is not None
    assert min(answered.values()) <= score <= max(answered.values())
    total = sum(WEIGHTS[k] for k in answered)
    assert score * total == sum(WEIGHTS[k] * v for k, v in answered.items())
    if len(answered) == len(WEIGHTS):
        o, s, c, m = (answered[k] for k in ("overall", "speed", "competence", "communication"))
        assert score == Fraction(4 * o + 3 * s + 2 * c + m, 10)


@given(answers)
def test_unanswered_is_never_counted_as_zero(a: dict[str, int | None]) -> None:
    score = weighted_score(a, WEIGHTS)
    if score is not None:
        assert score >= 1  # a zero anywhere would pull a mean of ratings 1..5 below 1


@given(answers, st.sampled_from(list(WEIGHTS)), st.integers(1, 4))
def test_a_better_answer_never_lowers_the_score(
    a: dict[str, int | None], question: str, value: int
) -> None:
    worse = a | {question: value}
    better = a | {question: value + 1}
    assert weighted_score(better, WEIGHTS) > weighted_score(worse, WEIGHTS)  # type: ignore[operator]


@given(st.fractions(min_value=1, max_value=5))
def test_the_three_outcomes_partition_the_scale(score: Fraction) -> None:
    outcome = outcome_of(score)
    if score >= 4:
        assert outcome is Outcome.PREFERRED
    elif score >= 3:
        assert outcome is Outcome.FOLLOW_UP
    else:
        assert outcome is Outcome.REVIEW
    if score <= 2:
        assert outcome is Outcome.REVIEW


@pytest.mark.parametrize(
    ("score", "outcome"),
    [
        (Fraction(4), Outcome.PREFERRED),
        (Fraction(399, 100), Outcome.FOLLOW_UP),
        (Fraction(3), Outcome.FOLLOW_UP),
        (Fraction(299, 100), Outcome.REVIEW),
        (Fraction(2), Outcome.REVIEW),
        (Fraction(1), Outcome.REVIEW),
        (None, None),
    ],
)
def test_thresholds_exactly(score: Fraction | None, outcome: Outcome | None) -> None:
    assert outcome_of(score) is outcome


def test_float_weights_would_misplace_an_exact_four() -> None:
    # 0.4*4 + 0.3*4 + 0.2*4 + 0.1*4 is 3.9999999999999996 in floats; exact fractions give 4.
    assert 0.4 * 4 + 0.3 * 4 + 0.2 * 4 + 0.1 * 4 < 4
    assert outcome_of(weighted_score(dict.fromkeys(WEIGHTS, 4), WEIGHTS)) is Outcome.PREFERRED


@given(st.lists(recommend, max_size=60))
def test_nps_is_promoters_minus_detractors_over_answered(values: list[int | None]) -> None:
    result = nps(values)
    answered = [v for v in values if v is not None]
    assert result.answered == len(answered)
    assert result.promoters + result.passives + result.detractors == len(answered)
    if not answered:
        assert result.score is None
        return
    expected = Fraction(100 * sum(v >= 9 for v in answered), len(answered)) - Fraction(
        100 * sum(v <= 6 for v in answered), len(answered)
    )
    assert result.score == expected
    assert -100 <= result.score <= 100


@given(st.lists(recommend, max_size=30), st.integers(0, 10))
def test_unanswered_does_not_dilute_nps(values: list[int | None], extra: int) -> None:
    assert nps([*values, None]).score == nps(values).score
    assert nps([*values, None]).answered == nps(values).answered


def test_nps_worked_example() -> None:
    # 3 promoters, 1 passive, 2 detractors of 6 answered; one unanswered: 50 % - 33.3 % = 16.7
    result = nps([10, 9, 9, 8, 6, 0, None])
    assert (result.promoters, result.passives, result.detractors) == (3, 1, 2)
    assert result.score == Fraction(50, 3)


def test_out_of_range_answers_are_refused() -> None:
    with pytest.raises(ValueError, match="overall"):
        scoring.check_answers({"overall": 0}, None)
    with pytest.raises(ValueError, match="recommend"):
        scoring.check_answers({}, 11)
    with pytest.raises(ValueError, match="100"):
        scoring.check_weights({"overall": 50, "speed": 30, "competence": 20, "communication": 10})


@given(
    # Three distinct cut points of 1..99 split 100 into four positive whole percents.
    st.lists(st.integers(1, 99), min_size=3, max_size=3, unique=True).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), 100], strict=True)]
    ),
    answers,
)
def test_snapshotted_weights_are_what_scores(weights: list[int], a: dict[str, int | None]) -> None:
    snapshot = scoring.check_weights(dict(zip(WEIGHTS, weights, strict=True)))
    score = weighted_score(a, snapshot)
    answered = {k: v for k, v in a.items() if v is not None}
    if answered:
        assert score == Fraction(
            sum(snapshot[k] * v for k, v in answered.items()),
            sum(snapshot[k] for k in answered),
        )
