"""The SLA clock computed from its log (pure): pauses, automatic resumes, reclassification and
restarts, in a 9-17 calendar and around the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from customers.calendar import WEEKDAYS, Calendar, business_seconds_between
from workorders.models import Priority, Tier
from workorders.sla.clock import ClockState, Event, compute
from workorders.sla.models import ClockEventKind as K
from workorders.sla.models import ClockKind
from workorders.sla.plans import Targets

H = 3600
BERLIN = ZoneInfo("Europe/Berlin")
SITE = Calendar.from_site(
    timezone="Europe/Berlin",
    business_hours={d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in WEEKDAYS[:5]},
    holidays=[date(2026, 12, 25)],
)
# respond, on site, resolve (hours of business time); urgent runs around the clock.
HOURS = {
    Priority.URGENT: (1, 4, 8),
    Priority.NORMAL: (4, 16, 40),
    Priority.SUGGESTION: (16, 80, 160),
}


def targets_for(priority: Priority, tier: Tier, plan_id: int | None) -> Targets:
    r, o, x = HOURS[priority]
    return Targets(
        plan_id=1,
        plan_name="p",
        respond_s=r * H,
        on_site_s=o * H,
        resolve_s=x * H,
        around_the_clock=priority is Priority.URGENT,
    )


def calendar_for(around_the_clock: bool) -> Calendar:
    return Calendar.around_the_clock("Europe/Berlin") if around_the_clock else SITE


def berlin(y: int, mo: int, d: int, h: int, mi: int) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN).astimezone(UTC)


def run(events: list[Event], now: datetime) -> ClockState:
    return compute(events=events, targets_for=targets_for, calendar_for=calendar_for, now=now)


def start(at: datetime, priority: Priority = Priority.NORMAL) -> Event:
    return Event(kind=K.START, at=at, priority=priority, tier=Tier.STANDARD, plan_id=1)


def local(at: datetime) -> str:
    return at.astimezone(BERLIN).strftime("%a %d %H:%M")


def test_normal_work_counts_business_hours_with_the_lunch_break() -> None:
    state = run([start(berlin(2026, 3, 2, 10, 0))], now=berlin(2026, 3, 2, 10, 0))
    respond = state.deadlines[ClockKind.RESPOND]
    # 4 business hours from Monday 10:00: 10-12 and 13-15.
    assert local(respond.due) == "Mon 02 15:00"
    assert [(level, local(at)) for level, at in respond.milestones] == [
        (50, "Mon 02 12:00"),  # 2 h: 10-12, at the close of the morning, not after lunch
        (75, "Mon 02 14:00"),
        (100, "Mon 02 15:00"),
    ]


def test_half_of_four_hours_from_four_pm_is_next_morning() -> None:
    state = run([start(berlin(2026, 3, 2, 16, 0))], now=berlin(2026, 3, 2, 16, 0))
    assert local(state.deadlines[ClockKind.RESPOND].milestones[0][1]) == "Tue 03 09:00"


def test_created_on_a_holiday_starts_on_the_next_working_day() -> None:
    state = run([start(berlin(2026, 12, 25, 9, 0))], now=berlin(2026, 12, 25, 9, 0))
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Mon 28 12:00"


def test_urgent_work_runs_around_the_clock() -> None:
    state = run([start(berlin(2026, 3, 6, 20, 0), Priority.URGENT)], now=berlin(2026, 3, 6, 20, 0))
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Fri 06 21:00"


def test_pause_with_automatic_resume_and_pause_by_hand() -> None:
    s = start(berlin(2026, 3, 2, 10, 0))
    paused = Event(
        kind=K.PAUSE,
        at=berlin(2026, 3, 2, 11, 0),
        reason="waiting_for_parts",
        resume_at=berlin(2026, 3, 3, 9, 0),
    )
    before_resume = run([s, paused], now=berlin(2026, 3, 2, 15, 0))
    assert before_resume.paused_since == berlin(2026, 3, 2, 11, 0)
    assert before_resume.pause_reason == "waiting_for_parts"
    # 1 h used before the pause; 3 h left from Tuesday 09:00: 09-12.
    assert local(before_resume.deadlines[ClockKind.RESPOND].due) == "Tue 03 12:00"
    after = run([s, paused], now=berlin(2026, 3, 3, 10, 0))
    assert after.paused_since is None
    assert after.deadlines == before_resume.deadlines
    # Resumed by hand earlier than planned: counts from then.
    by_hand = Event(kind=K.RESUME, at=berlin(2026, 3, 2, 14, 0))
    early = run([s, paused, by_hand], now=berlin(2026, 3, 2, 14, 0))
    assert local(early.deadlines[ClockKind.RESPOND].due) == "Mon 02 17:00"


def test_open_pause_reads_as_if_resumed_now() -> None:
    s = start(berlin(2026, 3, 2, 10, 0))
    waiting = Event(kind=K.PAUSE, at=berlin(2026, 3, 2, 11, 0), reason="waiting_for_customer")
    state = run([s, waiting], now=berlin(2026, 3, 4, 9, 0))
    assert state.paused_since == berlin(2026, 3, 2, 11, 0)
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Wed 04 12:00"


def test_raised_priority_counts_from_the_change_but_never_later_than_before() -> None:
    s = start(berlin(2026, 3, 2, 9, 0))
    soon = Event(kind=K.TARGET_CHANGE, at=berlin(2026, 3, 2, 9, 30), priority=Priority.URGENT)
    state = run([s, soon], now=berlin(2026, 3, 2, 9, 30))
    # Urgent: 1 h around the clock from the start would be 10:00; from the change 10:30.
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Mon 02 10:30"
    late = Event(kind=K.TARGET_CHANGE, at=berlin(2026, 3, 2, 12, 30), priority=Priority.URGENT)
    state = run([s, late], now=berlin(2026, 3, 2, 12, 30))
    # Normal: 4 business hours from 09:00 end at 14:00 (09-12, 13-14); urgent from the change
    # ends at 13:30, earlier: it holds. From 13:45 it would end at 14:45: 14:00 holds.
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Mon 02 13:30"
    very_late = Event(kind=K.TARGET_CHANGE, at=berlin(2026, 3, 2, 13, 45), priority=Priority.URGENT)
    state = run([s, very_late], now=berlin(2026, 3, 2, 13, 45))
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Mon 02 14:00"


def test_lowered_priority_counts_from_the_start() -> None:
    s = start(berlin(2026, 3, 2, 9, 0), Priority.URGENT)
    lower = Event(kind=K.TARGET_CHANGE, at=berlin(2026, 3, 2, 9, 30), priority=Priority.NORMAL)
    state = run([s, lower], now=berlin(2026, 3, 2, 9, 30))
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Mon 02 14:00"
    assert state.priority is Priority.NORMAL


def test_a_new_start_restarts_the_clock() -> None:
    first = start(berlin(2026, 3, 2, 9, 0))
    pause = Event(kind=K.PAUSE, at=berlin(2026, 3, 2, 10, 0), reason="waiting_for_customer")
    reopened = start(berlin(2026, 3, 10, 9, 0))
    state = run([first, pause, reopened], now=berlin(2026, 3, 10, 9, 0))
    assert state.paused_since is None
    assert local(state.deadlines[ClockKind.RESPOND].due) == "Tue 10 14:00"


@settings(max_examples=100, deadline=None)
@given(
    begin=st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 20), timezones=st.just(UTC)),
    offset=st.integers(0, 6 * 24 * 60),
    length=st.integers(1, 5 * 24 * 60),
    priority=st.sampled_from(list(Priority)),
)
def test_pause_and_resume_move_each_deadline_by_exactly_the_paused_business_time(
    begin: datetime, offset: int, length: int, priority: Priority
) -> None:
    s = start(begin, priority)
    plain = run([s], now=begin)
    at = begin + timedelta(minutes=offset)
    pause = Event(kind=K.PAUSE, at=at, reason="waiting_for_parts")
    resume = Event(kind=K.RESUME, at=at + timedelta(minutes=length))
    paused = run([s, pause, resume], now=resume.at)
    cal = calendar_for(targets_for(priority, Tier.STANDARD, 1).around_the_clock)
    for kind in ClockKind:
        before, after = plain.deadlines[kind].due, paused.deadlines[kind].due
        if at >= before:
            assert after == before  # a pause after the deadline changes nothing
            continue
        moved = business_seconds_between(start=before, end=after, calendar=cal)
        assert moved == business_seconds_between(start=at, end=resume.at, calendar=cal)
