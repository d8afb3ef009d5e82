"""Business time: when a site works, and how much working time lies between two instants.

Pure: no database, no clock. A :class:`Calendar` is a site's IANA time zone, its working hours
per weekday in local wall time, and its holidays (local dates); or "around the clock" (24x7).

Working hours are expanded day by day in the site's local time and each interval is converted to
UTC on its own date (never today's offset for another day). An interval means "every instant
whose local wall time lies in it", so daylight-saving changes need no special case:

- spring forward: a wall time in the gap never shows; an interval ending in the gap ends at the
  change, and 08:00-17:00 across a change at 02:00 still lasts 9 hours, 00:00-24:00 lasts 23;
- fall back: a repeated wall time shows twice; 00:00-24:00 lasts 25 hours, and 01:00-02:00 on
  the night the clocks go back from 02:00 to 01:00 holds both passes of that hour (2 hours).

All instants given and returned are aware UTC datetimes; arithmetic on them is exact because UTC
has no daylight saving (an aware local datetime plus ``timedelta(hours=24)`` is wall-clock
arithmetic, and wrong across a change: this module never does it).

>>> cal = Calendar.from_site(timezone="Europe/Paris", business_hours={"mon": [["08:00", "17:00"]]})
>>> start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 16:00 in Paris
>>> deadline(start=start, business_seconds=2 * 3600, calendar=cal).isoformat()  # 1 h that Monday, 1 h the next
'2026-03-09T08:00:00+00:00'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MINUTES = 24 * 60
_HHMM = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")
# Beyond any deadline; the end of the single "interval" of a 24x7 calendar.
_FOREVER = datetime(9000, 1, 1, tzinfo=UTC)
# Offsets in use lie within -12 h .. +14 h: every instant of a local date lies in this window.
_WINDOW_BEFORE = timedelta(hours=15)
_WINDOW_LENGTH = timedelta(hours=54)
# Two offset changes of one zone are never closer than this (tzdata: months, at worst weeks).
_PROBE_STEP = timedelta(hours=3)

Span = tuple[int, int]
"""Working minutes of a local day, [start, end) from local midnight; end may be 1440 (24:00)."""


class CalendarError(ValueError):
    """A calendar that cannot be used; the message says what to fix."""


class Pause(NamedTuple):
    """A stretch of time when the clock stood still, [start, end) as aware datetimes."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Calendar:
    """A site's working time. Build it with :meth:`from_site` or :meth:`around_the_clock`."""

    timezone: str = "UTC"
    week: tuple[tuple[Span, ...], ...] = ((),) * 7
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        _zone(self.timezone)
        if len(self.week) != 7:
            raise CalendarError(f"a week has 7 days, got {len(self.week)}")
        for name, spans in zip(WEEKDAYS, self.week, strict=True):
            previous_end = -1
            for start, end in spans:
                if not 0 <= start < end <= _DAY_MINUTES:
                    raise CalendarError(f"{name}: {_hhmm(start)}-{_hhmm(end)} is not a time range")
                if start < previous_end:
                    raise CalendarError(f"{name}: working hours overlap at {_hhmm(start)}")
                previous_end = end
        if not self.always_open and not any(self.week):
            raise CalendarError(
                "no working hours on any day: give hours for at least one weekday, "
                "or use an around-the-clock (24x7) calendar"
            )

    @classmethod
    def around_the_clock(cls, timezone: str = "UTC") -> Calendar:
        """Every instant is working time (24x7): no weekly hours, no holidays."""
        return cls(timezone=timezone, always_open=True)

    @classmethod
    def from_site(
        cls,
        *,
        timezone: str,
        business_hours: Mapping[str, Sequence[Sequence[str]]] | None,
        holidays: Iterable[date] = (),
    ) -> Calendar:
        """A calendar from a site's stored form.

        ``business_hours`` is ``{"mon": [["08:00", "12:00"], ["13:00", "17:00"]], ..., "sun": []}``
        (a missing day has no hours; "24:00" ends a day); ``None`` means around the clock.
        ``holidays`` are the local dates of the site's active holiday rows.

        >>> Calendar.from_site(timezone="Mars/Olympus", business_hours=None)
        Traceback (most recent call last):
        ...
        customers.calendar.CalendarError: unknown time zone 'Mars/Olympus': use an IANA name such as 'Europe/Berlin'
        """
        if business_hours is None:
            return cls.around_the_clock(timezone)
        unknown = sorted(set(business_hours) - set(WEEKDAYS))
        if unknown:
            raise CalendarError(f"unknown weekday {unknown[0]!r}: use {', '.join(WEEKDAYS)}")
        week = tuple(
            tuple(sorted(_span(day, pair) for pair in business_hours.get(day, ())))
            for day in WEEKDAYS
        )
        return cls(timezone=timezone, week=week, holidays=frozenset(holidays))

    def business_hours(self) -> dict[str, list[list[str]]]:
        """The stored form of the weekly hours (the inverse of :meth:`from_site`)."""
        return {
            day: [[_hhmm(a), _hhmm(b)] for a, b in spans]
            for day, spans in zip(WEEKDAYS, self.week, strict=True)
        }


def deadline(
    *,
    start: datetime,
    business_seconds: float,
    calendar: Calendar,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """The instant when ``business_seconds`` of working time, counted from ``start`` and not
    counting ``pauses``, have passed. It always lies in working time (at worst at the end of an
    interval, 17:00 rather than the next 08:00), unless the target is zero.

    >>> cal = Calendar.from_site(
    ...     timezone="America/Los_Angeles",
    ...     business_hours={d: [["08:00", "17:00"]] for d in WEEKDAYS[:5]},
    ... )
    >>> at_five = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)  # Monday 17:00 in Los Angeles
    >>> deadline(start=at_five, business_seconds=3600, calendar=cal).isoformat()
    '2026-06-02T16:00:00+00:00'
    """
    _aware(start, "start")
    if business_seconds < 0:
        raise ValueError(f"business_seconds must not be negative, got {business_seconds}")
    start = start.astimezone(UTC)
    remaining = timedelta(seconds=business_seconds)
    if not remaining:
        return start
    for a, b in _free_intervals(calendar, start, _merged(pauses)):
        if b - a >= remaining:
            return a + remaining
        remaining -= b - a
    raise AssertionError("unreachable: working time never ends")  # pragma: no cover


def business_seconds_between(
    *,
    start: datetime,
    end: datetime,
    calendar: Calendar,
    pauses: Sequence[Pause] = (),
) -> float:
    """Working seconds in [start, end) outside ``pauses``; negative when ``end`` is earlier
    (so "business time left until the deadline" is negative once it has passed).

    >>> cal = Calendar.from_site(timezone="UTC", business_hours={"mon": [["09:00", "17:00"]]})
    >>> monday = datetime(2026, 3, 2, tzinfo=UTC)
    >>> business_seconds_between(start=monday, end=monday + timedelta(days=7), calendar=cal) / 3600
    8.0
    """
    _aware(start, "start")
    _aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end < start:
        return -business_seconds_between(start=end, end=start, calendar=calendar, pauses=pauses)
    total = timedelta()
    for a, b in _free_intervals(calendar, start, _merged(pauses)):
        if a >= end:
            break
        total += min(b, end) - a
    return total.total_seconds()


def working_intervals(
    *, calendar: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The working intervals within [start, end), in order, as aware UTC datetimes."""
    _aware(start, "start")
    _aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    for a, b in _working(calendar, start):
        if a >= end:
            return
        yield a, min(b, end)


def is_working(*, calendar: Calendar, at: datetime) -> bool:
    """Whether ``at`` lies in working time."""
    return any(working_intervals(calendar=calendar, start=at, end=at + timedelta(microseconds=1)))


# --- internals


def _working(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals from ``start`` on, without end (every calendar has working time)."""
    if calendar.always_open:
        yield start, _FOREVER
        return
    # The day before too: an interval of the previous local date can reach past midnight UTC.
    day = start.astimezone(_zone(calendar.timezone)).date() - timedelta(days=1)
    while True:
        spans = calendar.week[day.weekday()]
        if spans and day not in calendar.holidays:
            for a, b in _day_intervals(calendar.timezone, day, spans):
                if b > start:
                    yield max(a, start), b
        day += timedelta(days=1)


def _free_intervals(
    calendar: Calendar, start: datetime, pauses: list[Pause]
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals from ``start`` on with the (merged, sorted) pauses cut out."""
    i = 0
    for a, b in _working(calendar, start):
        while i < len(pauses) and pauses[i].end <= a:
            i += 1
        j = i
        while a < b:
            if j >= len(pauses) or pauses[j].start >= b:
                yield a, b
                break
            if pauses[j].start > a:
                yield a, pauses[j].start
            a = max(a, pauses[j].end)
            j += 1


def _merged(pauses: Sequence[Pause]) -> list[Pause]:
    out: list[Pause] = []
    for p in sorted(pauses):
        _aware(p.start, "pause start")
        _aware(p.end, "pause end")
        start, end = p.start.astimezone(UTC), p.end.astimezone(UTC)
        if end <= start:
            continue
        if out and start <= out[-1].end:
            out[-1] = Pause(out[-1].start, max(out[-1].end, end))
        else:
            out.append(Pause(start, end))
    return out


@lru_cache(maxsize=8192)
def _day_intervals(
    timezone: str, day: date, spans: tuple[Span, ...]
) -> tuple[tuple[datetime, datetime], ...]:
    """The UTC intervals of one local day's working spans.

    Within a stretch of constant UTC offset, local wall time is UTC plus that offset, so the
    instants whose wall time lies in a span form one interval per stretch; the day's window is cut
    at the zone's offset changes and each piece mapped exactly.
    """
    midnight = datetime.combine(day, time(), UTC)  # the wall time 00:00 read as if it were UTC
    out: list[tuple[datetime, datetime]] = []
    for seg_start, seg_end, offset in _offset_stretches(
        _zone(timezone), midnight - _WINDOW_BEFORE, midnight - _WINDOW_BEFORE + _WINDOW_LENGTH
    ):
        for a, b in spans:
            lo = max(seg_start, midnight + timedelta(minutes=a) - offset)
            hi = min(seg_end, midnight + timedelta(minutes=b) - offset)
            if lo < hi:
                out.append((lo, hi))
    out.sort()
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in out:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _offset_stretches(
    zone: ZoneInfo, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """[lo, hi) cut where the zone's UTC offset changes, each piece with its offset."""
    out: list[tuple[datetime, datetime, timedelta]] = []
    at, offset = lo, _offset(zone, lo)
    probe = lo
    while probe < hi:
        nxt = min(probe + _PROBE_STEP, hi)
        if _offset(zone, nxt) != offset:
            change = _change_between(zone, probe, nxt)
            out.append((at, change, offset))
            at, offset = change, _offset(zone, change)
        probe = nxt
    out.append((at, hi, offset))
    return out


def _change_between(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first instant in (lo, hi] with the offset of ``hi`` (offsets change on whole seconds)."""
    target = _offset(zone, hi)
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if _offset(zone, datetime.fromtimestamp(mid, UTC)) == target:
            hi_s = mid
        else:
            lo_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'"
        ) from None


def _span(day: str, pair: Sequence[str]) -> Span:
    if isinstance(pair, str) or len(pair) != 2:
        raise CalendarError(
            f"{day}: each interval is a pair such as ['08:00', '17:00'], got {pair!r}"
        )
    start, end = (_minutes(day, text) for text in pair)
    if start >= end:
        raise CalendarError(
            f"{day}: {pair[0]}-{pair[1]} ends before it starts "
            "(split a night shift at midnight: '22:00'-'24:00' and the next day '00:00'-'06:00')"
        )
    return start, end


def _minutes(day: str, text: str) -> int:
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match is None:
        raise CalendarError(f"{day}: {text!r} is not a time of day as HH:MM (00:00 to 24:00)")
    hours, minutes = (match[1], match[2]) if match[1] is not None else (match[3], match[4])
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value!r} is naive: give an aware datetime (UTC)")
