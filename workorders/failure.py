"""A predicted failure time with its 90 % interval, as people read it on a work order.

>>> from datetime import UTC, datetime, timedelta
>>> now = datetime(2026, 1, 1, tzinfo=UTC)
>>> d = lambda days: now + timedelta(days=days)
>>> fails_in(at=d(4), low=d(3.2), high=d(5.4), now=now)
'fails in 3 to 5 days'
>>> fails_in(at=d(0.5), low=d(0.2), high=d(1.5), now=now)
'fails in 5 h to 2 days'
>>> fails_in(at=d(9), low=d(6), high=None, now=now)
'fails in 6 days or later'
>>> fails_in(at=d(2), low=None, high=None, now=now)
'fails in about 2 days'
>>> fails_in(at=None, low=None, high=None, now=now)
''
"""

from __future__ import annotations

from datetime import datetime


def _span(seconds: float) -> str:
    hours = max(seconds, 0.0) / 3600
    if hours < 36:
        return f"{max(round(hours), 0)} h"
    return f"{round(hours / 24)} days"


def fails_in(
    *, at: datetime | None, low: datetime | None, high: datetime | None, now: datetime
) -> str:
    """'fails in 3 to 5 days' from a prediction and its interval; '' without a prediction."""
    if at is None:
        return ""
    if low is None:
        return f"fails in about {_span((at - now).total_seconds())}"
    first = _span((low - now).total_seconds())
    if high is None:
        return f"fails in {first} or later"
    last = _span((high - now).total_seconds())
    if first.endswith(" days") and last.endswith(" days"):
        first = first.removesuffix(" days")
    return f"fails in {first} to {last}" if first != last else f"fails in about {last}"
