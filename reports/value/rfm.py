"""Recency, frequency and monetary value (RFM) scored in stated bands, and the value classes.

Pure functions over one customer's figures; ``reports.value.service`` reads the figures from the
records. Bands, not quintiles: a service business has tens to a few hundred customers, and
quintiles would hand a "5" to the top fifth whatever they spend, move when one customer changes,
and break on ties (all-equal values, fewer customers than bins). Fixed cut points give the same
score to the same behaviour every month and can be read in a contract review. They are settings.

>>> rules = RfmRules()
>>> score_high(20, rules.frequency_bands), score_high(1, rules.frequency_bands)
(5, 1)
>>> score_recency(30, rules.recency_days), score_recency(None, rules.recency_days)
(5, 1)
>>> classify(Scores(recency=5, frequency=4, monetary=5))
<ValueClass.HIGH_VALUE: 'high_value'>
>>> classify(Scores(recency=2, frequency=5, monetary=5))
<ValueClass.LOST: 'lost'>
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from customers.models import Tier


class ValueClass(enum.StrEnum):
    HIGH_VALUE = "high_value"
    POTENTIAL = "potential"
    ORDINARY = "ordinary"
    LOST = "lost"


class BadBands(ValueError):
    """Bands that cannot score: the message says which and why."""


# The tier each class proposes: the service level a customer of that value gets.
PROPOSED_TIER: dict[ValueClass, Tier] = {
    ValueClass.HIGH_VALUE: Tier.VIP,
    ValueClass.POTENTIAL: Tier.STANDARD,
    ValueClass.ORDINARY: Tier.STANDARD,
    ValueClass.LOST: Tier.BASIC,
}


@dataclass(frozen=True, slots=True)
class RfmRules:
    """The four cut points of each score; a value at or past the n-th cut point scores n + 1.

    ``recency_days``: days since the last purchase, contract or paid service, ascending (fewer
    days is better): at most 90 days scores 5, at most 180 scores 4, 365 scores 3, 730 scores 2,
    longer or never 1. ``frequency_bands``: purchases, contracts and paid services in the window,
    ascending: 2 scores 2, 5 scores 3, 10 scores 4, 20 or more 5. ``monetary_bands``: their
    value in the window (contract values, billed work, equipment sales), ascending: 10,000
    scores 2, 50,000 scores 3, 150,000 scores 4, 300,000 or more 5.

    Set so that a minority reaches the top two bands of both, as RFM expects of its high-value
    class (the top fifth or so): on the generated demo history (6 months, 2,000 assets, seed 1,
    83 customers of heavy-tailed sizes) 15 customers (18 %) are high value; the earlier
    (1, 3, 6, 12) and (5,000 ... 100,000) classed 48 (58 %) there, since a customer with two
    sites of equipment reached them. docs/reports.md gives the measurement.
    """

    window_months: int = 24
    recency_days: Sequence[int] = (90, 180, 365, 730)
    frequency_bands: Sequence[int] = (2, 5, 10, 20)
    monetary_bands: Sequence[Decimal] = field(
        default=(Decimal(10_000), Decimal(50_000), Decimal(150_000), Decimal(300_000))
    )

    def __post_init__(self) -> None:
        if not 1 <= self.window_months <= 120:
            raise BadBands(f"the RFM window is 1 to 120 months, not {self.window_months}")
        for name in ("recency_days", "frequency_bands", "monetary_bands"):
            cuts = list(getattr(self, name))
            if len(cuts) != 4:
                raise BadBands(f"{name}: give 4 cut points (for scores 2 to 5), got {len(cuts)}")
            if any(c < 0 for c in cuts) or any(a >= b for a, b in pairwise(cuts)):
                raise BadBands(f"{name}: cut points must be positive and rising, got {cuts}")


@dataclass(frozen=True, slots=True)
class Scores:
    recency: int
    frequency: int
    monetary: int


def score_recency(days: int | None, cuts: Sequence[int]) -> int:
    """5 for the most recent; 1 for longer than the last cut point or no activity at all."""
    if days is None:
        return 1
    return 5 - sum(1 for cut in cuts if days > cut)


def score_high(value: int | Decimal, cuts: Sequence[int | Decimal]) -> int:
    """1 below the first cut point, one more for each cut point reached."""
    return 1 + sum(1 for cut in cuts if value >= cut)


def score(*, days_since: int | None, frequency: int, monetary: Decimal, rules: RfmRules) -> Scores:
    return Scores(
        recency=score_recency(days_since, rules.recency_days),
        frequency=score_high(frequency, rules.frequency_bands),
        monetary=score_high(monetary, rules.monetary_bands),
    )


def classify(scores: Scores) -> ValueClass:
    """The class, first rule that holds (documented in docs/reports.md):

    - lost: nothing in the last year (recency 1 or 2), whatever was bought before;
    - high value: active within the year (recency 3+) and both frequency and money 4 or 5;
    - potential: active within six months (recency 4+) and frequency or money at least 3;
    - ordinary: the rest (active, little bought).
    """
    if scores.recency <= 2:
        return ValueClass.LOST
    if scores.frequency >= 4 and scores.monetary >= 4:
        return ValueClass.HIGH_VALUE
    if scores.recency >= 4 and max(scores.frequency, scores.monetary) >= 3:
        return ValueClass.POTENTIAL
    return ValueClass.ORDINARY
