"""Time helpers of the history generator: sites' working hours, seasons, random delays.

Only the standard library's ``zoneinfo``: the generator must not lean on Vigil's calendars,
which it is meant to exercise from the outside.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Hours = dict[str, list[list[str]]]

OFFICE: Hours = {d: ([["08:00", "17:00"]] if d not in ("sat", "sun") else []) for d in DAYS}
EXTENDED: Hours = {
    d: ([["06:00", "22:00"]] if d != "sun" else []) if d != "sat" else [["08:00", "12:00"]]
    for d in DAYS
}
AROUND_THE_CLOCK: Hours = {d: [["00:00", "24:00"]] for d in DAYS}


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def next_working(at: datetime, *, zone: str, hours: Hours) -> datetime:
    """``at`` itself when the site works then, else the start of its next working span."""
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    for offset in range(15):
        day = (local + timedelta(days=offset)).date()
        spans = hours.get(DAYS[day.weekday()], [])
        for start, end in spans:
            lo = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(
                minutes=_minutes(start)
            )
            hi = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(
                minutes=_minutes(end)
            )
            if local < hi:
                return max(local, lo).astimezone(UTC)
    return at


def seasonal(month_of_year: float, *, peak_month: int, amplitude: float) -> float:
    """A factor around 1 that peaks in ``peak_month`` (1-12); ``amplitude`` 0 is flat."""
    return 1.0 + amplitude * math.cos(2 * math.pi * (month_of_year - peak_month) / 12.0)


def month_of_year(at: datetime) -> float:
    return at.month + (at.day - 1) / 31.0


def lognormal_h(rng: random.Random, median_h: float, spread: float = 0.6) -> timedelta:
    """A positive delay with the given median (hours) and a long right tail."""
    return timedelta(hours=median_h * math.exp(rng.gauss(0.0, spread)))


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
