"""The report's engineer scorecards: the scorecard module's cards for the period (first-time
fix, response, satisfaction, on-time completion and knowledge contribution, each in stars and
weighted into one rating), never recomputed here."""

from __future__ import annotations

from typing import Any

from reports.document.charts import bar_chart
from reports.document.content import Column, Figure, Section, Table
from reports.scorecards.service import LABELS, Scorecard
from reports.scorecards.weights import Part, Weights


def stars_text(stars: float | None) -> str:
    """
    >>> stars_text(3.6), stars_text(None)
    ('★★★★☆ 3.6', 'not rated')
    """
    if stars is None:
        return "not rated"
    full = int(stars + 0.5)
    return "★" * full + "☆" * (5 - full) + f" {stars:.1f}"


def section(*, cards: list[Scorecard], weights: Weights) -> Section:
    parts = list(Part)
    columns = [
        Column("engineer", "Engineer"),
        Column("name", "Name"),
        Column("stars", "Rating", "number", shown=False),
        Column("rating", "Rating"),
    ]
    for part in parts:
        weight = weights.of_part(part)
        columns.append(Column(f"{part.value}_value", f"{part.value} value", "number", shown=False))
        columns.append(Column(f"{part.value}_stars", f"{LABELS[part]} ({weight:g} %)", "int"))
    rows: list[list[Any]] = []
    ranked = sorted(cards, key=lambda c: (-(c.stars or 0.0), c.code))
    for card in ranked:
        by_part = {p.part: p for p in card.parts}
        row: list[Any] = [card.code, card.name, card.stars, stars_text(card.stars)]
        for part in parts:
            found = by_part.get(part)
            row += [found.value if found else None, found.stars if found else None]
        rows.append(row)
    rated = [c for c in ranked if c.stars is not None][:15]
    chart = bar_chart(
        title="Engineers' overall rating (stars)",
        labels=[c.code for c in rated],
        series=[("stars", [c.stars for c in rated])],
        fmt=lambda v: f"{v:.1f} ★",
    )
    listed = ", ".join(
        f"{LABELS[p][0].lower()}{LABELS[p][1:]} {weights.of_part(p):g} %" for p in parts
    )
    return Section(
        slug="scorecards",
        title="Engineer scorecards",
        intro=(
            f"Each engineer's month in stars (1 to 5) per part, weighted into one rating: "
            f"{listed} (weights are settings). A part without work to rate it is left out of "
            "the rating, not counted as zero."
        ),
        figures=[Figure(chart, "Overall rating of the rated engineers, best first.")],
        tables=[
            Table(
                slug="engineer-scorecards", title="Engineer scorecards", columns=columns, rows=rows
            )
        ],
    )
