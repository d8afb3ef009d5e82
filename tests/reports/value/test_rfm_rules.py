"""RFM scoring rules: bands, ties and edge cases, and properties that hold for any input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.value.rfm import BadBands, RfmRules, Scores, ValueClass, classify, score
from vigil.settings import SettingsError, load_settings

RULES = RfmRules()


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, 5), (90, 5), (91, 4), (180, 4), (181, 3), (365, 3), (366, 2), (730, 2), (731, 1)],
)
def test_recency_band_edges_belong_to_the_better_score(days: int, expected: int) -> None:
    got = score(days_since=days, frequency=0, monetary=Decimal(0), rules=RULES)
    assert got.recency == expected


@pytest.mark.parametrize(
    ("money", "expected"),
    [
        ("0", 1),
        ("9999.99", 1),
        ("10000", 2),
        ("50000", 3),
        ("149999.99", 3),
        ("150000", 4),
        ("299999.99", 4),
        ("300000", 5),
    ],
)
def test_monetary_bands_count_from_each_cut_point(money: str, expected: int) -> None:
    got = score(days_since=None, frequency=0, monetary=Decimal(money), rules=RULES)
    assert got.monetary == expected


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 1), (1, 1), (2, 2), (4, 2), (5, 3), (9, 3), (10, 4), (20, 5)]
)
def test_frequency_bands_count_from_each_cut_point(count: int, expected: int) -> None:
    got = score(days_since=None, frequency=count, monetary=Decimal(0), rules=RULES)
    assert got.frequency == expected


def test_by_default_a_customer_is_high_value_from_10_activities_and_150000() -> None:
    """What the defaults mean: about monthly business (10 in 24 months) worth 150,000; a
    two-site customer with a contract, a few machines bought and some paid visits is not."""
    top = score(days_since=0, frequency=10, monetary=Decimal(150_000), rules=RULES)
    below = score(days_since=0, frequency=9, monetary=Decimal(140_000), rules=RULES)
    assert classify(top) is ValueClass.HIGH_VALUE
    assert classify(below) is ValueClass.POTENTIAL


@pytest.mark.parametrize(
    "bad",
    [
        {"recency_days": (90, 180, 365)},
        {"frequency_bands": (1, 3, 3, 12)},
        {"monetary_bands": (Decimal(-1), Decimal(1), Decimal(2), Decimal(3))},
        {"window_months": 0},
    ],
)
def test_bands_that_cannot_score_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(BadBands):
        RfmRules(**bad)  # type: ignore[arg-type]


def test_the_settings_refuse_bad_bands_with_the_variable_named() -> None:
    with pytest.raises(SettingsError, match="VIGIL_RFM_"):
        load_settings(rfm_recency_days=[90, 80, 365, 730])


@given(
    days=st.none() | st.integers(min_value=0, max_value=100_000),
    frequency=st.integers(min_value=0, max_value=10_000),
    money=st.decimals(min_value=0, max_value=10**12, places=2),
)
def test_scores_stay_in_1_to_5_and_more_never_scores_less(
    days: int | None, frequency: int, money: Decimal
) -> None:
    got = score(days_since=days, frequency=frequency, monetary=money, rules=RULES)
    assert {got.recency, got.frequency, got.monetary} <= {1, 2, 3, 4, 5}
    more = score(
        days_since=None if days is None else max(days - 30, 0),
        frequency=frequency + 1,
        monetary=money + 1,
        rules=RULES,
    )
    assert more.recency >= got.recency
    assert more.frequency >= got.frequency
    assert more.monetary >= got.monetary


@given(st.tuples(*[st.integers(min_value=1, max_value=5)] * 3))
def test_every_score_combination_has_one_class_and_old_customers_are_lost(
    rfm: tuple[int, int, int],
) -> None:
    value_class = classify(Scores(*rfm))
    assert value_class in set(ValueClass)
    assert (value_class is ValueClass.LOST) == (rfm[0] <= 2)
