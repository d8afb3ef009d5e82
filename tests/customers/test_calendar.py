"""Business-time arithmetic: the cases that broke other helpdesks, and properties over calendars,
holidays, time zones and daylight-saving changes (hypothesis), checked against a brute-force
minute-by-minute count of local wall time."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers import calendar as calendar_module
from customers.calendar import (
    WEEKDAYS,
    Calendar,
    CalendarError,
    Pause,
    business_seconds_between,
    deadline,
    is_working,
    working_intervals,
)

H = 3600
NINE_TO_FIVE = {d: [["09:00", "17:00"]] for d in WEEKDAYS[:5]}
EVERY_DAY_9_17 = {d: [["09:00", "17:00"]] for d in WEEKDAYS}
WHOLE_DAYS = {d: [["00:00", "24:00"]] for d in WEEKDAYS}


def local(zone: str, y: int, mo: int, d: int, h: int, mi: int, fold: int = 0) -> datetime:
    """A local wall time as an aware UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


def in_zone(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def test_docstring_examples() -> None:
    result = doctest.testmod(calendar_module, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# --- the cases from SERVICE-REFERENCES.md


def test_created_after_hours_starts_next_morning() -> None:
    cal = Calendar.from_site(timezone="Europe/Berlin", business_hours=NINE_TO_FIVE)
    friday_evening = local("Europe/Berlin", 2026, 1, 9, 18, 30)
    due = deadline(start=friday_evening, business_seconds=H, calendar=cal)
    assert in_zone(due, "Europe/Berlin") == "Mon 2026-01-12 10:00 CET"


def test_created_on_a_holiday_starts_on_the_next_working_day() -> None:
    cal = Calendar.from_site(
        timezone="Europe/Berlin",
        business_hours=NINE_TO_FIVE,
        holidays=[date(2026, 12, 24), date(2026, 12, 25)],
    )
    on_christmas = local("Europe/Berlin", 2026, 12, 25, 10, 0)
    due = deadline(start=on_christmas, business_seconds=4 * H, calendar=cal)
    assert in_zone(due, "Europe/Berlin") == "Mon 2026-12-28 13:00 CET"


def test_site_in_utc_minus_8_at_five_pm_is_already_tomorrow_in_utc() -> None:
    cal = Calendar.from_site(timezone="America/Los_Angeles", business_hours=NINE_TO_FIVE)
    monday_five_pm = local("America/Los_Angeles", 2026, 1, 5, 17, 0)
    assert monday_five_pm == datetime(2026, 1, 6, 1, 0, tzinfo=UTC)
    due = deadline(start=monday_five_pm, business_seconds=H, calendar=cal)
    assert in_zone(due, "America/Los_Angeles") == "Tue 2026-01-06 10:00 PST"


def test_half_of_a_four_hour_target_from_four_pm_lands_next_morning() -> None:
    cal = Calendar.from_site(timezone="Europe/Paris", business_hours=NINE_TO_FIVE)
    four_pm = local("Europe/Paris", 2026, 3, 3, 16, 0)
    half = deadline(start=four_pm, business_seconds=0.5 * 4 * H, calendar=cal)
    full = deadline(start=four_pm, business_seconds=4 * H, calendar=cal)
    assert in_zone(half, "Europe/Paris") == "Wed 2026-03-04 10:00 CET"
    assert in_zone(full, "Europe/Paris") == "Wed 2026-03-04 12:00 CET"


def test_a_deadline_at_closing_time_stays_at_closing_time() -> None:
    cal = Calendar.from_site(timezone="Europe/Paris", business_hours=NINE_TO_FIVE)
    due = deadline(start=local("Europe/Paris", 2026, 3, 3, 16, 0), business_seconds=H, calendar=cal)
    assert in_zone(due, "Europe/Paris") == "Tue 2026-03-03 17:00 CET"


@pytest.mark.parametrize(
    ("zone", "saturday", "expect_24x7", "expect_9_17"),
    [
        # Spring forward: Berlin 2026-03-29 02:00 -> 03:00, New York 2026-03-08 02:00 -> 03:00.
        ("Europe/Berlin", (2026, 3, 28), "Sun 2026-03-29 13:00 CEST", "Sun 2026-03-29 10:00 CEST"),
        ("America/New_York", (2026, 3, 7), "Sun 2026-03-08 13:00 EDT", "Sun 2026-03-08 10:00 EDT"),
        # Fall back: Berlin 2026-10-25 03:00 -> 02:00, New York 2026-11-01 02:00 -> 01:00.
        ("Europe/Berlin", (2026, 10, 24), "Sun 2026-10-25 11:00 CET", "Sun 2026-10-25 10:00 CET"),
        (
            "America/New_York",
            (2026, 10, 31),
            "Sun 2026-11-01 11:00 EST",
            "Sun 2026-11-01 10:00 EST",
        ),
    ],
)
def test_daylight_saving_changes_in_two_zones(
    zone: str, saturday: tuple[int, int, int], expect_24x7: str, expect_9_17: str
) -> None:
    # 24 business hours of a 24x7 clock are 24 real hours, whatever the wall clock does.
    noon = local(zone, *saturday, 12, 0)
    round_the_clock = Calendar.around_the_clock(zone)
    assert (
        in_zone(deadline(start=noon, business_seconds=24 * H, calendar=round_the_clock), zone)
        == expect_24x7
    )
    four_pm = local(zone, *saturday, 16, 0)
    nine_to_five = Calendar.from_site(timezone=zone, business_hours=EVERY_DAY_9_17)
    assert (
        in_zone(deadline(start=four_pm, business_seconds=2 * H, calendar=nine_to_five), zone)
        == expect_9_17
    )


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Berlin", (2026, 3, 29), 23),
        ("Europe/Berlin", (2026, 10, 25), 25),
        ("America/New_York", (2026, 3, 8), 23),
        ("America/New_York", (2026, 11, 1), 25),
        # Clocks change at midnight in Havana: 2026-03-08 00:00 -> 01:00 (the day starts at 01:00).
        ("America/Havana", (2026, 3, 8), 23),
        ("Australia/Lord_Howe", (2026, 4, 5), 24.5),  # half-hour daylight saving
    ],
)
def test_a_whole_working_day_lasts_as_long_as_the_wall_clock_says(
    zone: str, day: tuple[int, int, int], hours: float
) -> None:
    cal = Calendar.from_site(timezone=zone, business_hours=WHOLE_DAYS)
    first = date(*day)
    begin = _first_instant_of(zone, first)
    end = _first_instant_of(zone, first + timedelta(days=1))
    assert (end - begin).total_seconds() / H == hours
    assert business_seconds_between(start=begin, end=end, calendar=cal) / H == hours


def _first_instant_of(zone: str, day: date) -> datetime:
    """The first instant whose wall date is ``day`` (minute scan: brute force on purpose)."""
    at = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    while at.astimezone(ZoneInfo(zone)).date() < day:
        at += timedelta(minutes=1)
    return at


def test_hours_in_the_spring_forward_gap_do_not_exist() -> None:
    zone = "America/New_York"  # 2026-03-08 02:00 EST -> 03:00 EDT
    spans = {"sun": [["01:00", "02:30"], ["02:45", "05:00"]]}
    cal = Calendar.from_site(timezone=zone, business_hours=spans)
    got = list(
        working_intervals(
            calendar=cal, start=local(zone, 2026, 3, 8, 0, 0), end=local(zone, 2026, 3, 9, 0, 0)
        )
    )
    change = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    # 01:00-02:30 ends at the change; 02:45-05:00 starts there: one interval, 01:00 EST to 05:00 EDT.
    assert got == [(local(zone, 2026, 3, 8, 1, 0), local(zone, 2026, 3, 8, 5, 0))]
    assert got[0][0] < change < got[0][1]
    assert business_seconds_between(start=got[0][0], end=got[0][1], calendar=cal) == 3 * H


def test_repeated_hour_when_clocks_go_back_counts_twice() -> None:
    zone = "America/New_York"  # 2026-11-01 02:00 EDT -> 01:00 EST: 01:00-02:00 shows twice
    cal = Calendar.from_site(timezone=zone, business_hours={"sun": [["01:00", "02:00"]]})
    got = list(
        working_intervals(
            calendar=cal, start=local(zone, 2026, 11, 1, 0, 0), end=local(zone, 2026, 11, 2, 0, 0)
        )
    )
    assert got == [(local(zone, 2026, 11, 1, 1, 0), local(zone, 2026, 11, 1, 2, 0))]
    assert (got[0][1] - got[0][0]) == timedelta(hours=2)
    # A boundary inside the repeated hour: both passes of 01:30-02:00 are working time.
    half = Calendar.from_site(timezone=zone, business_hours={"sun": [["01:30", "03:00"]]})
    parts = list(
        working_intervals(
            calendar=half, start=local(zone, 2026, 11, 1, 0, 0), end=local(zone, 2026, 11, 2, 0, 0)
        )
    )
    assert parts == [
        (local(zone, 2026, 11, 1, 1, 30, fold=0), local(zone, 2026, 11, 1, 1, 0, fold=1)),
        (local(zone, 2026, 11, 1, 1, 30, fold=1), local(zone, 2026, 11, 1, 3, 0)),
    ]
    assert not is_working(calendar=half, at=local(zone, 2026, 11, 1, 1, 10, fold=1))


def test_pause_over_a_weekend_moves_nothing_and_one_ending_on_a_holiday_moves_to_next_day() -> None:
    cal = Calendar.from_site(
        timezone="Europe/Berlin", business_hours=NINE_TO_FIVE, holidays=[date(2026, 1, 12)]
    )
    friday_4pm = local("Europe/Berlin", 2026, 1, 9, 16, 0)
    plain = deadline(start=friday_4pm, business_seconds=2 * H, calendar=cal)
    assert in_zone(plain, "Europe/Berlin") == "Tue 2026-01-13 10:00 CET"  # Monday is a holiday
    weekend = Pause(
        local("Europe/Berlin", 2026, 1, 10, 8, 0), local("Europe/Berlin", 2026, 1, 11, 20, 0)
    )
    assert (
        deadline(start=friday_4pm, business_seconds=2 * H, calendar=cal, pauses=[weekend]) == plain
    )
    # Paused from Friday 16:30 until the holiday: 30 business minutes paused, 30 more at the end.
    into_holiday = Pause(
        local("Europe/Berlin", 2026, 1, 9, 16, 30), local("Europe/Berlin", 2026, 1, 12, 12, 0)
    )
    moved = deadline(start=friday_4pm, business_seconds=2 * H, calendar=cal, pauses=[into_holiday])
    assert in_zone(moved, "Europe/Berlin") == "Tue 2026-01-13 10:30 CET"


def test_pause_starting_after_the_deadline_changes_nothing() -> None:
    cal = Calendar.from_site(timezone="UTC", business_hours=NINE_TO_FIVE)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    due = deadline(start=start, business_seconds=2 * H, calendar=cal)
    late = Pause(due + timedelta(minutes=1), due + timedelta(days=3))
    assert deadline(start=start, business_seconds=2 * H, calendar=cal, pauses=[late]) == due


def test_business_seconds_between_is_negative_past_the_deadline() -> None:
    cal = Calendar.from_site(timezone="UTC", business_hours=NINE_TO_FIVE)
    monday = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert (
        business_seconds_between(start=monday + timedelta(hours=2), end=monday, calendar=cal)
        == -2 * H
    )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": [["17:00", "08:00"]]}, "ends before it starts"),
        ({"mon": [["08:00", "12:00"], ["11:00", "17:00"]]}, "overlap"),
        ({"mon": [["8am", "5pm"]]}, "not a time of day"),
        ({"mon": [["08:00", "24:30"]]}, "not a time of day"),
        ({"monday": [["08:00", "17:00"]]}, "unknown weekday"),
        ({"mon": ["08:00"]}, "pair"),
        ({"sat": [], "sun": []}, "no working hours"),
    ],
)
def test_bad_calendars_are_refused_with_what_to_fix(
    hours: dict[str, list[list[str]]], message: str
) -> None:
    with pytest.raises(CalendarError, match=message):
        Calendar.from_site(timezone="Europe/Berlin", business_hours=hours)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        deadline(
            start=datetime(2026, 1, 1), business_seconds=1, calendar=Calendar.around_the_clock()
        )


def test_stored_form_round_trips() -> None:
    hours = {
        "mon": [["08:00", "12:00"], ["13:00", "24:00"]],
        "tue": [],
        "wed": [],
        "thu": [],
        "fri": [["00:00", "06:00"]],
        "sat": [],
        "sun": [],
    }
    assert Calendar.from_site(timezone="Asia/Tokyo", business_hours=hours).business_hours() == hours


# --- properties

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Havana",  # changes at midnight
    "America/Santiago",  # southern hemisphere, changes at 24:00
    "Australia/Lord_Howe",  # 30-minute daylight saving
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",  # +05:30, no daylight saving
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
]
# Starts near the daylight-saving changes of 2026 in these zones, and anywhere else.
CHANGES = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 9, 6, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 9)) == 0:
        return Calendar.around_the_clock(zone)
    week: list[tuple[tuple[int, int], ...]] = []
    for _ in WEEKDAYS:
        # Quarter-hour boundaries, 00:00 and 24:00 included; 0 to 3 intervals a day.
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        if len(cuts) % 2:
            cuts = cuts[:-1]
        week.append(tuple((cuts[i] * 15, cuts[i + 1] * 15) for i in range(0, len(cuts), 2)))
    if not any(week):
        week[draw(st.integers(0, 6))] = ((9 * 60, 17 * 60),)
    holidays = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 1, 31)), max_size=30))
    return Calendar(timezone=zone, week=tuple(week), holidays=frozenset(holidays))


starts = st.one_of(
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(CHANGES),
        st.integers(-3 * 24 * 60, 3 * 24 * 60),
    ),
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)),
)
targets = st.integers(1, 60 * H)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _wall_is_working(cal: Calendar, at: datetime) -> bool:
    """Independent oracle: read the wall clock at ``at`` and look the time up in the week."""
    if cal.always_open:
        return True
    wall = at.astimezone(ZoneInfo(cal.timezone))
    if wall.date() in cal.holidays:
        return False
    minute = wall.hour * 60 + wall.minute + wall.second / 60 + wall.microsecond / 60e6
    return any(a <= minute < b for a, b in cal.week[wall.weekday()])


@PROPERTY
@given(cal=calendars(), start=starts, seconds=targets)
def test_deadline_lies_in_working_time_and_holds_exactly_the_target(
    cal: Calendar, start: datetime, seconds: int
) -> None:
    due = deadline(start=start, business_seconds=seconds, calendar=cal)
    assert due > start
    assert _wall_is_working(cal, due - timedelta(microseconds=1)), in_zone(due, cal.timezone)
    assert business_seconds_between(start=start, end=due, calendar=cal) == seconds


@PROPERTY
@given(cal=calendars(), start=starts, seconds=targets, extra=st.integers(1, 5 * H))
def test_deadline_grows_with_the_target(
    cal: Calendar, start: datetime, seconds: int, extra: int
) -> None:
    assert deadline(start=start, business_seconds=seconds, calendar=cal) < deadline(
        start=start, business_seconds=seconds + extra, calendar=cal
    )


@PROPERTY
@given(
    cal=calendars(),
    start=starts,
    seconds=targets,
    pause_at=st.floats(0, 1.5),
    pause_length=st.integers(1, 10 * 24 * H),
)
def test_a_pause_moves_the_deadline_by_exactly_the_paused_business_time(
    cal: Calendar, start: datetime, seconds: int, pause_at: float, pause_length: int
) -> None:
    plain = deadline(start=start, business_seconds=seconds, calendar=cal)
    pause_start = start + (plain - start) * pause_at
    pause = Pause(pause_start, pause_start + timedelta(seconds=pause_length))
    paused = deadline(start=start, business_seconds=seconds, calendar=cal, pauses=[pause])
    if pause.start >= plain:
        assert paused == plain
        return
    paused_business = business_seconds_between(start=pause.start, end=pause.end, calendar=cal)
    assert business_seconds_between(start=plain, end=paused, calendar=cal) == paused_business
    assert (
        business_seconds_between(start=start, end=paused, calendar=cal, pauses=[pause]) == seconds
    )
    assert _wall_is_working(cal, paused - timedelta(microseconds=1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cal=calendars(), start=starts.map(lambda d: d.replace(second=0, microsecond=0)))
def test_business_seconds_agree_with_a_minute_by_minute_count(
    cal: Calendar, start: datetime
) -> None:
    # Offsets and boundaries fall on whole minutes, so the wall clock at each UTC minute tells
    # whether that whole minute is working time.
    end = start + timedelta(days=2)
    expected = sum(
        60 for m in range(2 * 24 * 60) if _wall_is_working(cal, start + timedelta(minutes=m))
    )
    assert business_seconds_between(start=start, end=end, calendar=cal) == expected
