"""Engineer scorecards for a month: the KPI module's figures per engineer (first-time fix,
response, NPS, on-time completion) and the knowledge base's contributions, each part in stars
and weighted into one rating.

The report calls :func:`scorecards` for its scorecard section; the API and the dashboard call it
for the list and for one engineer. The KPIs' engineer is the work order's assignee, which is the
engineer's code; a knowledge contribution is the engineer's when its actor is the engineer's
code or name, or the name of an API key ``"<code or name> (key N, role)"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.models import Engineer
from knowledge.service import contributions
from reports.kpis import Dimension, Filters, Kpi, Period, compute
from reports.scorecards.stars import knowledge_points, overall, stars_of
from reports.scorecards.weights import Part, Weights

# The KPI behind each part read from reports.kpis (knowledge comes from the knowledge base).
KPI_OF: dict[Part, str] = {
    Part.FIRST_TIME_FIX: "first_time_fix",
    Part.RESPONSE: "response_median_h",
    Part.SATISFACTION: "nps",
    Part.ON_TIME: "on_time_completion",
}
LABELS: dict[Part, str] = {
    Part.FIRST_TIME_FIX: "First-time fix",
    Part.RESPONSE: "Response time (median)",
    Part.SATISFACTION: "Satisfaction (NPS)",
    Part.ON_TIME: "On-time completion",
    Part.KNOWLEDGE: "Knowledge contribution",
}


@dataclass(frozen=True, slots=True)
class ScorePart:
    part: Part
    label: str
    weight: float  # percent, as configured
    value: float | None  # the figure (share, hours, NPS points, knowledge points)
    basis: int  # how many records the figure rests on (0: not rated)
    stars: int | None  # 1-5, None when not rated


@dataclass(frozen=True, slots=True)
class Scorecard:
    engineer_id: int
    code: str
    name: str
    period: str
    parts: list[ScorePart]
    stars: float | None  # the weighted overall, 1.0-5.0, None with nothing rated

    @property
    def full_stars(self) -> int:
        """Whole stars to draw (the overall rounded half up)."""
        return 0 if self.stars is None else int(self.stars + 0.5)


def _kpi_part(part: Part, kpi: Kpi | None, weights: Weights) -> ScorePart:
    value = None if kpi is None else kpi.value
    basis = 0 if kpi is None or kpi.denominator is None else int(kpi.denominator)
    return ScorePart(
        part=part,
        label=LABELS[part],
        weight=weights.of_part(part),
        value=value,
        basis=basis if value is not None else 0,
        stars=None if value is None else stars_of(part, float(value)),
    )


def _owner(actor: str, engineers: list[Engineer]) -> int | None:
    """The engineer an actor string stands for: code or name, alone or as an API key's name."""
    name = actor.split(" (key ", 1)[0].strip().casefold()
    for engineer in engineers:
        if name in (engineer.code.casefold(), engineer.name.casefold()):
            return engineer.id
    return None


def scorecards(
    *,
    session: Session,
    period: Period,
    weights: Weights,
    now: datetime | None = None,
    engineer_id: int | None = None,
) -> list[Scorecard]:
    """The period's scorecard of every active engineer (and of any engineer with work in it), by
    code; only ``engineer_id``'s when given."""
    query = sa.select(Engineer).order_by(Engineer.code)
    if engineer_id is not None:
        query = query.where(Engineer.id == engineer_id)
    engineers = list(session.scalars(query))
    filters = Filters(engineer=engineers[0].code) if engineer_id is not None and engineers else None
    report = compute(
        session=session, period=period, breakdown=Dimension.ENGINEER, filters=filters, now=now
    )
    by_code = {group.key: group.kpis for group in report.groups}
    points: dict[int, tuple[int, int, int]] = {}
    for c in contributions(session=session, since=period.start, until=period.end):
        owner = _owner(c.actor, engineers)
        if owner is not None:
            w, a, o = points.get(owner, (0, 0, 0))
            points[owner] = (w + c.written, a + c.used, o + c.used_by_others)
    cards = []
    for engineer in engineers:
        kpis = by_code.get(engineer.code)
        if not engineer.active and kpis is None:
            continue
        parts = [
            _kpi_part(p, None if kpis is None else kpis.get(k), weights) for p, k in KPI_OF.items()
        ]
        written, applied, others = points.get(engineer.id, (0, 0, 0))
        value = knowledge_points(written=written, applied=applied, used_by_others=others)
        parts.append(
            ScorePart(
                part=Part.KNOWLEDGE,
                label=LABELS[Part.KNOWLEDGE],
                weight=weights.of_part(Part.KNOWLEDGE),
                value=float(value),
                basis=written + applied + others,
                stars=stars_of(Part.KNOWLEDGE, value),
            )
        )
        rated = [p for p in parts if p.part is not Part.KNOWLEDGE and p.stars is not None]
        cards.append(
            Scorecard(
                engineer_id=engineer.id,
                code=engineer.code,
                name=engineer.name,
                period=period.label,
                parts=parts,
                # Knowledge alone does not make a rating: no work judged, no stars.
                stars=overall({p.part: p.stars for p in parts}, weights) if rated else None,
            )
        )
    return cards
