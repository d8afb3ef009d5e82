"""When an engineer is next on shift: their working week (a :class:`customers.calendar.Calendar`
in their own time zone, the same JSON shape as a site's business hours) minus their absences."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from customers.calendar import Calendar, CalendarError, working_intervals

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFFICE_HOURS: dict[str, list[list[str]]] = {
    day: ([["08:00", "17:00"]] if day not in ("sat", "sun") else []) for day in DAYS
}


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of UTC time [start, end)."""

    start: datetime
    end: datetime


def working_week(*, time_zone: str, hours: Mapping[str, object]) -> Calendar:
    """The engineer's calendar (no holidays of its own: leave is recorded as absences).

    Raises ValueError (CalendarError) saying what to fix.
    """
    if not isinstance(hours, Mapping) or not all(isinstance(v, list) for v in hours.values()):
        raise CalendarError('working hours read {"mon": [["08:00", "17:00"]], ..., "sun": []}')
    return Calendar.from_site(timezone=time_zone, business_hours=hours)  # type: ignore[arg-type]


def subtract(spans: Iterable[Interval], holes: Sequence[Interval]) -> Iterator[Interval]:
    """``spans`` with every part that falls in one of ``holes`` cut out."""
    for span in spans:
        pieces = [span]
        for hole in holes:
            cut: list[Interval] = []
            for piece in pieces:
                if hole.end <= piece.start or hole.start >= piece.end:
                    cut.append(piece)
                    continue
                if piece.start < hole.start:
                    cut.append(Interval(piece.start, hole.start))
                if hole.end < piece.end:
                    cut.append(Interval(hole.end, piece.end))
            pieces = cut
        yield from pieces


def next_available(
    *, calendar: Calendar, absences: Sequence[Interval], at: datetime, until: datetime
) -> datetime | None:
    """The first moment in [at, until) when the engineer is on shift and not absent, or None.

    >>> from datetime import UTC, timedelta
    >>> week = Calendar.from_site(timezone="Europe/Paris", business_hours={"mon": [["08:00", "17:00"]]})
    >>> monday_7 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    >>> next_available(calendar=week, absences=[], at=monday_7, until=monday_7 + timedelta(days=1))
    datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.timezone.utc)
    """
    if until <= at:
        return None
    shifts = (Interval(a, b) for a, b in working_intervals(calendar=calendar, start=at, end=until))
    for span in subtract(shifts, absences):
        if span.end > at:
            return max(span.start, at)
    return None
