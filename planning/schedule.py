"""When preventive work falls due: pure arithmetic on dates, counters and readings, no database.

Calendar due dates are counted from an anchor each time, never chained from the previous one,
so a plan started on the 31st falls on the last day of shorter months and comes back to the 31st:

>>> [due_date(date(2026, 1, 31), every=1, unit=Unit.MONTHS, cycle=n).isoformat() for n in range(4)]
['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']

A running-hours counter only counts up, and no faster than time passes: a drop is a counter reset
(replaced meter) and a jump beyond the time elapsed is a glitch, both absorbed:

>>> t0 = datetime(2026, 3, 2, tzinfo=UTC)
>>> meter = Meter(run_hours=100.0, raw_hours=100.0, read_until=t0)
>>> readings = [(t0 + timedelta(hours=h), raw) for h, raw in [(1, 101.0), (2, 0.5), (3, 5000.0)]]
>>> [round(hours, 2) for _, hours in meter.advance(readings)]
[101.0, 101.5, 102.51]
>>> meter.resets
1
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from followup.surveys.schedule import add_months
from followup.surveys.schedule import due_at as local_due_at
from planning.models import Direction, Unit

__all__ = ["Condition", "Meter", "due_date", "local_due_at"]

# A counter may run a little faster than the clock between two readings (timestamps rounded to
# the gateway's clock): the tolerance on "no faster than time passes".
_CLOCK_SLACK = 1.01


def due_date(anchor: date, *, every: int, unit: Unit, cycle: int) -> date:
    """The ``cycle``-th due date after ``anchor`` (cycle 0 is the anchor itself)."""
    if unit is Unit.MONTHS:
        return add_months(anchor, every * cycle)
    return anchor + timedelta(days=every * cycle)


@dataclass
class Meter:
    """The running hours of one asset as Vigil counts them from its ``operating_hours`` readings.

    ``run_hours`` starts at the first raw value (so it reads like the asset's own counter) and
    then adds each increase, bounded by the time elapsed since the previous reading.
    """

    run_hours: float | None = None
    raw_hours: float | None = None
    read_until: datetime | None = None
    resets: int = 0

    def advance(self, readings: Iterable[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
        """Take readings in time order (those at or before ``read_until`` are ignored); the
        counter after each one, as ``(time, run_hours)``."""
        seen: list[tuple[datetime, float]] = []
        for at, raw in readings:
            if self.read_until is not None and at <= self.read_until:
                continue
            if self.run_hours is None or self.raw_hours is None or self.read_until is None:
                self.run_hours = raw
            else:
                elapsed_h = (at - self.read_until).total_seconds() / 3600 * _CLOCK_SLACK
                step = raw - self.raw_hours
                if step < 0:
                    # Reset: counting from zero again; the part before the reset was lost.
                    self.resets += 1
                    step = raw
                self.run_hours += min(step, elapsed_h)
            self.raw_hours, self.read_until = raw, at
            seen.append((at, self.run_hours))
        return seen


@dataclass(frozen=True, slots=True)
class Fired:
    """A condition episode: the value stayed past the level from ``since`` until ``at``."""

    since: datetime
    at: datetime
    value: float


@dataclass
class Condition:
    """A level with hysteresis and debounce.

    It fires when the value is past ``level`` for ``for_readings`` readings in a row, once; it
    is armed again only when the value has come back past ``clear_level``. A value hovering at
    the level therefore fires once per real episode, not at every crossing:

    >>> c = Condition(direction=Direction.ABOVE, level=80.0, clear_level=70.0, for_readings=2)
    >>> t = [datetime(2026, 3, 2, 8, m, tzinfo=UTC) for m in range(8)]
    >>> [f.since.minute for f in c.feed(zip(t, [81, 79, 81, 82, 79, 81, 82, 83]))]
    [2]
    >>> [f.since.minute for f in c.feed([(t[7] + timedelta(minutes=1), 65.0)])], c.armed
    ([], True)
    """

    direction: Direction
    level: float
    clear_level: float
    for_readings: int
    armed: bool = True
    streak: int = 0
    streak_since: datetime | None = None
    fired: list[Fired] = field(default_factory=list)

    def _past(self, value: float, level: float) -> bool:
        return value >= level if self.direction is Direction.ABOVE else value <= level

    def _cleared(self, value: float) -> bool:
        if self.direction is Direction.ABOVE:
            return value < self.clear_level
        return value > self.clear_level

    def feed(self, readings: Iterable[tuple[datetime, float]]) -> list[Fired]:
        """Take readings in time order; the episodes that fired among them."""
        fired: list[Fired] = []
        for at, value in readings:
            if self._past(value, self.level):
                if self.streak == 0:
                    self.streak_since = at
                self.streak += 1
            else:
                self.streak, self.streak_since = 0, None
            if not self.armed:
                if self._cleared(value):
                    self.armed = True
                continue
            if self.streak >= self.for_readings and self.streak_since is not None:
                fired.append(Fired(since=self.streak_since, at=at, value=value))
                self.armed = False
        self.fired.extend(fired)
        return fired


def hours_key(due_hours: float) -> str:
    """The due key of a running-hours occurrence (tenths of an hour)."""
    return f"{due_hours:.1f}h"


def episode_key(since: datetime) -> str:
    """The due key of a condition episode: the time of its first reading past the level."""
    return f"c{since.astimezone(UTC):%Y%m%dT%H%M%SZ}"
