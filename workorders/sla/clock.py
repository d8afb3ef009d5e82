"""The SLA clock computed from its event log (pure: no database).

Every deadline is recomputed from scratch from the log each time, the way Zammad does, never
kept as a running counter:

- the last ``start`` (creation, or reopening) starts the clock at zero;
- a ``pause`` stops it until the ``resume`` after it, or until its ``resume_at`` if that comes
  first; a pause still open without ``resume_at`` stops it until now (the deadline then shown
  is "if resumed now");
- a ``target_change`` (reclassification, another tier or plan) at time t: a lower priority gets
  its targets counted from the start; a higher one gets them counted from t, but never later than
  the deadline it had (``max(from_start, min(from_change, before))``).

Each deadline keeps the basis it was counted from (an anchor instant and a target in business
seconds), so its 50 % and 75 % milestones are that share of the same business time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from customers.calendar import Calendar, Pause, deadline
from workorders.models import Priority, Tier
from workorders.sla.models import LEVELS, ClockEventKind, ClockKind
from workorders.sla.plans import Targets


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the log, as the computation needs it."""

    kind: ClockEventKind
    at: datetime
    resume_at: datetime | None = None
    priority: Priority | None = None
    tier: Tier | None = None
    plan_id: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Deadline:
    anchor: datetime
    target_s: int
    due: datetime
    milestones: tuple[tuple[int, datetime], ...]  # (level, due at)


@dataclass(frozen=True, slots=True)
class ClockState:
    started_at: datetime
    deadlines: dict[ClockKind, Deadline]
    pauses: tuple[Pause, ...]
    paused_since: datetime | None
    pause_reason: str | None
    resume_at: datetime | None
    priority: Priority
    tier: Tier
    plan_id: int | None


TargetsFor = Callable[[Priority, Tier, int | None], Targets]
CalendarFor = Callable[[bool], Calendar]


def _seconds(targets: Targets, kind: ClockKind) -> int:
    return {
        ClockKind.RESPOND: targets.respond_s,
        ClockKind.ON_SITE: targets.on_site_s,
        ClockKind.RESOLVE: targets.resolve_s,
    }[kind]


def compute(
    *, events: Sequence[Event], targets_for: TargetsFor, calendar_for: CalendarFor, now: datetime
) -> ClockState:
    """The clock's state at ``now`` from its log (events in the order they were written).

    ``targets_for(priority, tier, plan_id)`` gives a classification's targets (the plan as it is
    now); ``calendar_for(around_the_clock)`` the site's calendar or a 24x7 one.
    """
    starts = [i for i, e in enumerate(events) if e.kind is ClockEventKind.START]
    if not starts:
        raise ValueError("the clock has no start event")
    log = events[starts[-1] :]
    first = log[0]
    if first.priority is None or first.tier is None:
        raise ValueError("a start event names the priority and tier")
    pauses, open_pause = _pauses(log, now)
    closed = list(pauses)
    if open_pause is not None:
        # Until its scheduled resume; without one, "if resumed now".
        closed.append(Pause(open_pause.at, open_pause.resume_at or max(now, open_pause.at)))

    priority, tier, plan_id = first.priority, first.tier, first.plan_id
    # The classification in force, and each change's instant (to count raised targets from it).
    changes: list[tuple[datetime, Priority, Tier, int | None]] = [
        (first.at, priority, tier, plan_id)
    ]
    for e in log[1:]:
        if e.kind is ClockEventKind.TARGET_CHANGE:
            priority = e.priority or priority
            tier = e.tier or tier
            plan_id = e.plan_id if e.plan_id is not None else plan_id
            changes.append((e.at, priority, tier, plan_id))

    def due(anchor: datetime, seconds: float, targets: Targets) -> datetime:
        calendar = calendar_for(targets.around_the_clock)
        return deadline(start=anchor, business_seconds=seconds, calendar=calendar, pauses=closed)

    deadlines: dict[ClockKind, Deadline] = {}
    for kind in ClockKind:
        # Each classification counts in its own calendar (24x7 or the site's hours).
        basis = targets_for(*changes[0][1:])
        anchor, target = first.at, _seconds(basis, kind)
        current = due(anchor, target, basis)
        for at, p, t, plan in changes[1:]:
            new = targets_for(p, t, plan)
            new_target = _seconds(new, kind)
            from_start = due(first.at, new_target, new)
            from_change = due(at, new_target, new)
            if from_start >= min(from_change, current):
                basis, anchor, target, current = new, first.at, new_target, from_start
            elif from_change <= current:
                basis, anchor, target, current = new, at, new_target, from_change
        milestones = tuple(
            (level, current if level == 100 else due(anchor, target * level / 100, basis))
            for level in LEVELS
        )
        deadlines[kind] = Deadline(
            anchor=anchor, target_s=target, due=current, milestones=milestones
        )

    return ClockState(
        started_at=first.at,
        deadlines=deadlines,
        pauses=tuple(closed),
        paused_since=open_pause.at if open_pause else None,
        pause_reason=open_pause.reason if open_pause else None,
        resume_at=open_pause.resume_at if open_pause else None,
        priority=priority,
        tier=tier,
        plan_id=plan_id,
    )


def _pauses(log: Sequence[Event], now: datetime) -> tuple[list[Pause], Event | None]:
    """Closed pauses, and the pause still open at ``now`` (if any)."""
    closed: list[Pause] = []
    open_pause: Event | None = None
    for e in log:
        # A scheduled resume that came before this event closed the pause by itself.
        if (
            open_pause is not None
            and open_pause.resume_at is not None
            and open_pause.resume_at <= e.at
        ):
            closed.append(Pause(open_pause.at, open_pause.resume_at))
            open_pause = None
        if e.kind is ClockEventKind.PAUSE and open_pause is None:
            open_pause = e
        elif e.kind is ClockEventKind.RESUME and open_pause is not None:
            end = e.at if open_pause.resume_at is None else min(e.at, open_pause.resume_at)
            closed.append(Pause(open_pause.at, end))
            open_pause = None
    if open_pause is not None and open_pause.resume_at is not None and open_pause.resume_at <= now:
        closed.append(Pause(open_pause.at, open_pause.resume_at))
        open_pause = None
    return closed, open_pause
