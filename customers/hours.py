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
ValueError: mon: 17:00-08:00 ends before it starts (split a night shift at 24:00)
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from customers.models import DEFAULT_HOURS, WEEKDAYS

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
ALWAYS = "24x7"


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def check_hours(value: Any) -> dict[str, list[list[str]]]:
    """The hours in stored form, or ValueError naming the first thing wrong."""
    if not isinstance(value, dict):
        raise ValueError("business hours must map weekdays (mon..sun) to lists of [start, end]")
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise ValueError(f"unknown weekday(s) {', '.join(unknown)}: use {', '.join(WEEKDAYS)}")
    checked: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        spans = value.get(day) or []
        if not isinstance(spans, list):
            raise ValueError(f"{day}: expected a list of [start, end] pairs")
        out: list[list[str]] = []
        for span in spans:
            if not (isinstance(span, list | tuple) and len(span) == 2):
                raise ValueError(f"{day}: {span!r} is not a [start, end] pair")
            start, end = (str(t) for t in span)
            for t in (start, end):
                if not _TIME.match(t):
                    raise ValueError(f"{day}: {t!r} is not a time HH:MM (00:00 to 24:00)")
            if start == "24:00" or _minutes(end) <= _minutes(start):
                raise ValueError(
                    f"{day}: {start}-{end} ends before it starts (split a night shift at 24:00)"
                )
            out.append([start, end])
        out.sort(key=lambda s: _minutes(s[0]))
        for before, after in pairwise(out):
            if _minutes(after[0]) < _minutes(before[1]):
                raise ValueError(f"{day}: {before[0]}-{before[1]} overlaps {after[0]}-{after[1]}")
        checked[day] = out
    return checked


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
