"""The period a figure is computed on: a calendar month, a quarter, or a custom range (UTC).

>>> parse_period("2026-11")
Period(start=datetime.datetime(2026, 11, 1, 0, 0, tzinfo=datetime.timezone.utc), end=datetime.datetime(2026, 12, 1, 0, 0, tzinfo=datetime.timezone.utc), kind='month', label='2026-11')
>>> parse_period("2026Q4").label, parse_period("2026Q4").end.date().isoformat()
('2026Q4', '2027-01-01')
>>> parse_period("2026Q4").previous().label, parse_period("2026-01").previous().label
('2026Q3', '2025-12')
>>> [p.label for p in parse_period("2026-02").trailing(3)]
['2025-12', '2026-01', '2026-02']
>>> custom_period(date(2026, 11, 3), date(2026, 11, 9)).label
'2026-11-03..2026-11-09'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

PeriodKind = Literal["month", "quarter", "custom"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
# A custom range longer than this is refused: the figures read trends, not archaeology.
MAX_CUSTOM_DAYS = 3 * 366


class BadPeriod(ValueError):
    """The text names no month, quarter or range; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in UTC, with its kind and how people write it."""

    start: datetime
    end: datetime
    kind: PeriodKind
    label: str

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def previous(self) -> Period:
        """The period of the same kind just before (a custom range: the same length before)."""
        if self.kind == "month":
            return month_period(
                self.start.year - (self.start.month == 1), (self.start.month - 2) % 12 + 1
            )
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return quarter_period(self.start.year - (q == 1), (q - 2) % 4 + 1)
        length = self.end - self.start
        return _custom(self.start - length, self.start)

    def trailing(self, count: int) -> list[Period]:
        """The ``count`` periods ending with this one, oldest first."""
        periods = [self]
        for _ in range(count - 1):
            periods.append(periods[-1].previous())
        return periods[::-1]


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12 or not 1970 <= year <= 9998:
        raise BadPeriod(f"no such month: {year:04d}-{month:02d}")
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return Period(start, end, "month", f"{year:04d}-{month:02d}")


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4 or not 1970 <= year <= 9998:
        raise BadPeriod(f"no such quarter: {year}Q{quarter}")
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + quarter // 4, (3 * quarter) % 12 + 1, 1, tzinfo=UTC)
    return Period(start, end, "quarter", f"{year:04d}Q{quarter}")


def custom_period(first: date, last: date) -> Period:
    """The days ``first`` to ``last``, both included."""
    if not (first.year >= 1970 and last.year <= 9998):
        raise BadPeriod("days must be between 1970 and 9998")
    if last < first:
        raise BadPeriod(f"the range ends ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise BadPeriod(f"a custom range is at most {MAX_CUSTOM_DAYS} days")
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return _custom(start, end)


def _custom(start: datetime, end: datetime) -> Period:
    last = (end - timedelta(days=1)).date()
    return Period(start, end, "custom", f"{start.date().isoformat()}..{last.isoformat()}")


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026Q4`` (a quarter) or ``2026-11-03..2026-11-09`` (days)."""
    text = text.strip()
    if m := _MONTH.match(text):
        return month_period(int(m[1]), int(m[2]))
    if m := _QUARTER.match(text):
        return quarter_period(int(m[1]), int(m[2]))
    if ".." in text:
        first, _, last = text.partition("..")
        return custom_period(_day(first), _day(last))
    raise BadPeriod(
        f"period must be a month (2026-11), a quarter (2026Q4) or days (2026-11-03..2026-11-09), "
        f"got {text!r}"
    )


def period_from(
    *, period: str | None = None, start: date | None = None, end: date | None = None
) -> Period:
    """The API's and the command line's way in: ``period`` text, or ``start`` and ``end`` days
    (both included), never both."""
    if period is not None and (start is not None or end is not None):
        raise BadPeriod("give either a period or from/to days, not both")
    if period is not None:
        return parse_period(period)
    if start is None or end is None:
        raise BadPeriod("give a period (2026-11, 2026Q4) or both from and to days")
    return custom_period(start, end)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadPeriod(f"not a day (YYYY-MM-DD): {text.strip()!r}") from None
