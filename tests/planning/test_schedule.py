"""Due dates, the running-hours meter and the condition's hysteresis: pure arithmetic."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta

from planning import schedule
from planning.models import Direction, Unit
from planning.schedule import Condition, Meter, due_date, local_due_at

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_docstring_examples() -> None:
    result = doctest.testmod(schedule, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_a_monthly_plan_on_the_31st_takes_each_month_end_and_comes_back_to_the_31st() -> None:
    days = [due_date(date(2026, 1, 31), every=1, unit=Unit.MONTHS, cycle=n) for n in range(13)]
    assert [d.isoformat() for d in days] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
        "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31",
        "2027-01-31",
    ]  # fmt: skip


def test_a_yearly_plan_on_the_29th_of_february_keeps_it_in_leap_years() -> None:
    days = [due_date(date(2024, 2, 29), every=12, unit=Unit.MONTHS, cycle=n) for n in range(5)]
    assert [d.isoformat() for d in days] == [
        "2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29",
    ]  # fmt: skip


def test_quarterly_from_the_30th_of_november_crosses_the_year() -> None:
    day = due_date(date(2026, 11, 30), every=3, unit=Unit.MONTHS, cycle=1)
    assert day == date(2027, 2, 28)


def test_days_are_calendar_days_and_the_due_time_is_the_sites_morning_across_dst() -> None:
    assert due_date(date(2026, 3, 1), every=14, unit=Unit.DAYS, cycle=2) == date(2026, 3, 29)
    # Zurich changes to summer time in the night to 29 March 2026: 09:00 local is an hour
    # earlier in UTC from that day on, and 24 hours of wall time do not make a day.
    assert local_due_at(date(2026, 3, 28), "Europe/Zurich") == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert local_due_at(date(2026, 3, 29), "Europe/Zurich") == datetime(2026, 3, 29, 7, tzinfo=UTC)
    assert local_due_at(date(2026, 10, 25), "Europe/Zurich") == datetime(
        2026, 10, 25, 8, tzinfo=UTC
    )


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_the_meter_counts_a_gap_in_full_when_the_counter_kept_running() -> None:
    meter = Meter()
    meter.advance([(_at(0), 5000.0), (_at(1), 5001.0)])
    # The gateway was offline for three days; the counter ran on the whole time.
    meter.advance([(_at(73), 5073.0)])
    assert meter.run_hours == 5073.0
    assert meter.resets == 0


def test_the_meter_absorbs_a_reset_and_a_glitch_and_ignores_backdated_readings() -> None:
    meter = Meter()
    seen = meter.advance(
        [(_at(0), 800.0), (_at(1), 801.0), (_at(2), 0.5), (_at(3), 1.5), (_at(4), 99999.0)]
    )
    # 801 before the meter was replaced, 1.5 h since, and a garbage value worth one hour at most.
    assert [round(h, 2) for _, h in seen] == [800.0, 801.0, 801.5, 802.5, 803.51]
    assert meter.resets == 1
    # A reading older than what was read already (a gateway's spool replayed late) changes nothing.
    assert meter.advance([(_at(3.5), 1.7)]) == []
    assert round(meter.run_hours or 0, 2) == 803.51


def test_a_value_hovering_at_the_level_fires_once_per_episode() -> None:
    condition = Condition(direction=Direction.ABOVE, level=80.0, clear_level=75.0, for_readings=3)
    hovering = [80.5, 79.9, 80.1, 80.2, 80.0, 79.0, 80.3, 81.0, 80.6, 79.5, 80.8, 80.1, 80.9, 81.2]
    fired = condition.feed((_at(i / 6), v) for i, v in enumerate(hovering))
    assert [(f.since, f.at) for f in fired] == [(_at(2 / 6), _at(4 / 6))]
    assert not condition.armed
    # Back under the clear level, then a second real episode: a second firing.
    again = condition.feed((_at(3 + i / 6), v) for i, v in enumerate([74.0, 82.0, 83.0, 84.0]))
    assert [f.since for f in again] == [_at(3 + 1 / 6)]


def test_a_single_spike_does_not_fire_a_debounced_condition() -> None:
    condition = Condition(direction=Direction.ABOVE, level=80.0, clear_level=75.0, for_readings=3)
    assert condition.feed((_at(i), v) for i, v in enumerate([70.0, 95.0, 70.0, 96.0, 97.0])) == []
    assert condition.armed
    assert condition.streak == 2  # carried to the next run of the job


def test_a_condition_below_a_level_clears_above_its_clear_level() -> None:
    condition = Condition(direction=Direction.BELOW, level=5.0, clear_level=5.5, for_readings=1)
    values = [6.0, 4.9, 5.2, 4.8, 5.6, 4.7]
    fired = condition.feed((_at(i), v) for i, v in enumerate(values))
    assert [f.since for f in fired] == [_at(1), _at(5)]
