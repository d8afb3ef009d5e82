"""A site's weekly business hours: checked, and read from the short text form CSV files use.

The stored form is ``{"mon": [["08:00", "17:00"]], ..., "sun": []}`` in the site's local time;
``24:00`` ends a day that works until midnight. The text form lists days (or ranges of days) with
their hours, separated by semicolons:

>>> parse_hours("mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00")["fri"]
[['08:00', '12:00'], ['13:00', '17:00']]
>>> parse_hours("24x7")["sun"]
[['00:00', '24:00']]
>>> parse_hours("mon 17:00-08:00")
Traceback (most recent call last):
...
customers.calendar.CalendarError: mon: 17:00-08:00 ends before it starts (split a night shift at midnight: '22:00'-'24:00' and the next day '00:00'-'06:00')
"""

from __future__ import annotations

from typing import Any

from customers.calendar import WEEKDAYS, Calendar
from customers.models import DEFAULT_HOURS

ALWAYS = "24x7"


def check_hours(value: Any) -> dict[str, list[list[str]]]:
    """The hours in stored form (every weekday, sorted), or ValueError naming what is wrong."""
    if not isinstance(value, dict):
        raise ValueError("business hours must map weekdays (mon..sun) to lists of [start, end]")
    return Calendar.from_site(timezone="UTC", business_hours=value).business_hours()


def parse_hours(text: str) -> dict[str, list[list[str]]]:
    """The text form (see the module) in stored form; empty text gives Monday-Friday 08-17."""
    text = text.strip().lower()
    if not text:
        return {day: [list(s) for s in spans] for day, spans in DEFAULT_HOURS.items()}
    if text == ALWAYS:
        return {day: [["00:00", "24:00"]] for day in WEEKDAYS}
    hours: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days_text, _, spans_text = part.partition(" ")
        days = _days(days_text)
        for span in filter(None, (s.strip() for s in spans_text.split(","))):
            start, sep, end = span.partition("-")
            if not sep:
                raise ValueError(f"{span!r}: write hours as HH:MM-HH:MM")
            for day in days:
                hours[day].append([start.strip(), end.strip()])
    return check_hours(hours)


def _days(text: str) -> list[str]:
    first, sep, last = text.partition("-")
    for day in (first, last) if sep else (first,):
        if day not in WEEKDAYS:
            raise ValueError(f"{day!r} is not a weekday: use {', '.join(WEEKDAYS)}")
    if not sep:
        return [first]
    i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
    if j < i:
        raise ValueError(f"{text!r}: a range of days runs forward (mon-fri)")
    return list(WEEKDAYS[i : j + 1])
