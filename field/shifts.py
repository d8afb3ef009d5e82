"""An engineer's working week in their own time zone, and when they are next on shift.

Working hours use the same JSON shape as a site's business hours::

    {"mon": [["08:00", "17:00"]], "tue": [["08:00", "12:00"], ["13:00", "17:00"]], ..., "sun": []}

Times are local wall-clock times in the engineer's IANA zone; "24:00" ends a day. A night shift is
written as two intervals (``["22:00", "24:00"]`` and the next day's ``["00:00", "06:00"]``).
Each interval is placed on the calendar in local time and only then converted to UTC, so a shift
keeps its local hours across daylight-saving changes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")

WorkingHours = Mapping[str, Sequence[Sequence[str]]]
OFFICE_HOURS: dict[str, list[list[str]]] = {
    day: ([["08:00", "17:00"]] if day not in ("sat", "sun") else []) for day in DAYS
}


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of UTC time [start, end)."""

    start: datetime
    end: datetime

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Paris"
        ) from None


def _minutes(text: str) -> int:
    if not isinstance(text, str) or not _HHMM.match(text):
        raise ValueError(f"time {text!r} must read HH:MM (00:00 to 24:00)")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def validate_hours(hours: Mapping[str, object]) -> dict[str, list[list[str]]]:
    """The working hours in canonical form (every day present, intervals sorted), or ValueError
    naming what is wrong."""
    unknown = sorted(set(hours) - set(DAYS))
    if unknown:
        raise ValueError(f"unknown day(s) {', '.join(unknown)}: use {', '.join(DAYS)}")
    canonical: dict[str, list[list[str]]] = {}
    for day in DAYS:
        raw = hours.get(day, [])
        if not isinstance(raw, list | tuple):
            raise ValueError(f"{day}: expected a list of [start, end] pairs")
        spans: list[tuple[int, int, list[str]]] = []
        for pair in raw:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{day}: each interval is a [start, end] pair, got {pair!r}")
            start, end = _minutes(pair[0]), _minutes(pair[1])
            if start >= end:
                raise ValueError(f"{day}: {pair[0]}-{pair[1]} ends before it starts")
            spans.append((start, end, [str(pair[0]), str(pair[1])]))
        spans.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                raise ValueError(f"{day}: {first[0]}-{first[1]} overlaps {second[0]}-{second[1]}")
        canonical[day] = [pair for _, _, pair in spans]
    return canonical


def _at(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    # A wall time skipped by spring-forward maps to the instant just after the gap.
    return local.replace(tzinfo=tz).astimezone(UTC)


def working_intervals(
    hours: WorkingHours, tz_name: str, start: datetime, end: datetime
) -> Iterator[Interval]:
    """The working intervals overlapping [start, end), in order, in UTC."""
    tz = zone(tz_name)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        for first, second in hours.get(DAYS[day.weekday()], []):
            span = Interval(_at(day, _minutes(first), tz), _at(day, _minutes(second), tz))
            if span.end > start and span.start < end and span.start < span.end:
                yield span
        day += timedelta(days=1)


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
    *,
    hours: WorkingHours,
    tz_name: str,
    absences: Sequence[Interval],
    at: datetime,
    until: datetime,
) -> datetime | None:
    """The first moment in [at, until) when the engineer is on shift and not absent, or None.

    >>> week = {"mon": [["08:00", "17:00"]]}
    >>> monday_7 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    >>> next_available(hours=week, tz_name="Europe/Paris", absences=[], at=monday_7,
    ...                until=monday_7 + timedelta(days=1))
    datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.timezone.utc)
    """
    if until <= at:
        return None
    spans = subtract(working_intervals(hours, tz_name, at, until), absences)
    for span in spans:
        if span.end > at and span.start < until:
            return max(span.start, at)
    return None
