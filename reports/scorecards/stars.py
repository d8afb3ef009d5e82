"""Each scorecard part mapped to 1-5 stars by stated cut points, and the weighted overall.

The cut points sit on the KPI grades (docs/reports.md): 4 stars is where a KPI becomes
"excellent", 2 stars the last value before "to improve", so the stars and the KPI page agree.

===============  ==========  ==========  ==========  ==========  =========
part             5 stars     4 stars     3 stars     2 stars     1 star
===============  ==========  ==========  ==========  ==========  =========
first-time fix   >= 95 %     >= 85 %     >= 78 %     >= 70 %     below
response         <= 1 h      <= 2 h      <= 4 h      < 6 h       6 h or more
satisfaction     NPS >= 70   >= 50       >= 25       >= 0        below 0
on-time          >= 98 %     >= 95 %     >= 90 %     >= 85 %     below
knowledge        >= 8 pts    >= 4        >= 2        >= 1        0
===============  ==========  ==========  ==========  ==========  =========

Knowledge points: 3 per article written, 1 per article applied on a repair, 1 per use of the
engineer's articles by someone else. A part with nothing to judge it on (no survey answered, no
confirmed fault resolved) is not rated; its weight goes to the rated parts in proportion.

>>> stars_of(Part.RESPONSE, 2.0), stars_of(Part.RESPONSE, 6.0), stars_of(Part.FIRST_TIME_FIX, 0.86)
(4, 1, 4)
>>> overall({Part.FIRST_TIME_FIX: 5, Part.RESPONSE: 3, Part.SATISFACTION: None,
...          Part.ON_TIME: 4, Part.KNOWLEDGE: 1}, Weights())
3.9
"""

from __future__ import annotations

from collections.abc import Mapping

from reports.scorecards.weights import Part, Weights

# Per part: the cut points for 5, 4, 3 and 2 stars, and whether higher is better.
CUTS: dict[Part, tuple[tuple[float, float, float, float], bool]] = {
    Part.FIRST_TIME_FIX: ((0.95, 0.85, 0.78, 0.70), True),
    Part.RESPONSE: ((1.0, 2.0, 4.0, 6.0), False),
    Part.SATISFACTION: ((70.0, 50.0, 25.0, 0.0), True),
    Part.ON_TIME: ((0.98, 0.95, 0.90, 0.85), True),
    Part.KNOWLEDGE: ((8.0, 4.0, 2.0, 1.0), True),
}


def stars_of(part: Part, value: float) -> int:
    """1 to 5 stars for a part's figure (response: hours, lower is better; 2 stars is below 6)."""
    cuts, higher_is_better = CUTS[part]
    for stars, cut in zip((5, 4, 3), cuts[:3], strict=True):
        if (value >= cut) if higher_is_better else (value <= cut):
            return stars
    two = cuts[3]
    if (value >= two) if higher_is_better else (value < two):
        return 2
    return 1


def knowledge_points(*, written: int, applied: int, used_by_others: int) -> int:
    return 3 * written + applied + used_by_others


def overall(stars: Mapping[Part, int | None], weights: Weights) -> float | None:
    """Weighted mean of the rated parts (weights of unrated parts spread pro rata), one decimal;
    None when no part is rated."""
    rated = {p: s for p, s in stars.items() if s is not None}
    total = sum(weights.of_part(p) for p in rated)
    if not rated or total <= 0:
        return None
    return round(sum(weights.of_part(p) * s for p, s in rated.items()) / total, 1)
