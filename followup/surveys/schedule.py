"""When follow-up visits fall due: pure date arithmetic, no database.

After a repair: 24 hours after it was resolved. After a new installation: 7 days after its first
use, then every 3 or 6 months (per contract) until the first anniversary, then yearly. Months are
counted from the first use each time, not chained, so a first use on the 31st gives the last day
of shorter months without drifting (31 Jan -> 30 Apr -> 31 Jul).

>>> [(k.value, d.isoformat()) for k, d in visits(date(2026, 1, 31), every_months=3, until=date(2027, 2, 1))]
[('after_installation', '2026-02-07'), ('periodic', '2026-04-30'), ('periodic', '2026-07-31'), ('periodic', '2026-10-31'), ('periodic', '2027-01-31')]
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup.surveys.models import TaskKind

AFTER_REPAIR = timedelta(hours=24)
AFTER_FIRST_USE = timedelta(days=7)
FIRST_YEAR_CHOICES = (3, 6)
DEFAULT_FIRST_YEAR_MONTHS = 6
LATER_MONTHS = 12
# Calendar visits fall due at this local time of the site's day.
VISIT_TIME = time(9, 0)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def visits(first_use: date, *, every_months: int, until: date) -> Iterator[tuple[TaskKind, date]]:
    """The visits of an installation up to ``until`` (inclusive), in order."""
    if every_months not in FIRST_YEAR_CHOICES:
        raise ValueError(f"first-year visits every 3 or 6 months, not {every_months}")
    first = first_use + AFTER_FIRST_USE
    if first <= until:
        yield TaskKind.AFTER_INSTALLATION, first
    months = every_months
    while True:
        day = add_months(first_use, months)
        if day > until:
            return
        yield TaskKind.PERIODIC, day
        months += every_months if months < LATER_MONTHS else LATER_MONTHS


def due_at(day: date, zone: str) -> datetime:
    """The moment a visit on the site's local ``day`` falls due, in UTC."""
    return datetime.combine(day, VISIT_TIME, ZoneInfo(zone)).astimezone(UTC)
