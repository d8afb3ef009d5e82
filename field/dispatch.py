"""Who to send: a pure, deterministic ranking of engineers for one job.

Hard filters come first. An engineer without the skill for the asset type and fault, below the
level or skill level the job needs, without a valid certification it requires, on leave, at
capacity, or not on shift before the on-site deadline is out, with the reason why. Nobody left
means no candidate, said plainly; there is no "then everyone" fallback.

The rest are ranked by a weighted sum of four parts, each normalised to 0..1 (1 is best):

- ``skill``: the best matching skill level over the highest level (3);
- ``travel``: 1 at the door, falling linearly to 0 at ``Weights.travel_horizon`` of travel
  (0 when a location is missing: the engineer may be anywhere);
- ``load``: the share of their capacity still free;
- ``slack``: SLA slack (business time left to the on-site deadline, minus the wait until their
  shift and the travel) over the business time left; 0 when they would arrive late.

The total is rounded to 6 decimals, and equal totals go to the lower engineer id, so the same
inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import IntEnum

from customers.calendar import Calendar
from field.geo import GeoPoint, TravelTime, great_circle_km, straight_line
from field.shifts import Interval, next_available

MAX_SKILL = 3


class Level(IntEnum):
    junior = 1
    mid = 2
    senior = 3


@dataclass(frozen=True, slots=True)
class Skill:
    asset_type: str
    fault_code: str | None  # None: every fault of the asset type
    level: int  # 1 basic, 2 proficient, 3 expert


@dataclass(frozen=True, slots=True)
class Certification:
    name: str
    expires_on: date | None  # None: does not expire


@dataclass(frozen=True, slots=True)
class Absence:
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    name: str
    level: Level
    skills: tuple[Skill, ...]
    certifications: tuple[Certification, ...]
    calendar: Calendar  # their working week, in their time zone
    absences: tuple[Absence, ...]
    open_jobs: int
    max_open_jobs: int
    base: GeoPoint | None
    # Where they are now when at a job (its site), else None: travel then starts at the base.
    position: GeoPoint | None = None
    position_label: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    asset_type: str
    fault_code: str
    site: GeoPoint | None
    on_site_by: datetime
    min_skill_level: int = 1
    min_level: Level = Level.junior
    certifications: tuple[str, ...] = ()


# Business seconds between two instants in the site's calendar; wall-clock seconds by default.
BusinessSeconds = Callable[[datetime, datetime], float]


def wall_seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


@dataclass(frozen=True, slots=True)
class Weights:
    skill: float = 0.2
    travel: float = 0.4
    load: float = 0.2
    slack: float = 0.2
    travel_horizon: timedelta = timedelta(hours=4)

    def __post_init__(self) -> None:
        parts = (self.skill, self.travel, self.load, self.slack)
        if min(parts) < 0 or sum(parts) <= 0:
            raise ValueError("weights must be >= 0 and not all 0")
        if self.travel_horizon <= timedelta(0):
            raise ValueError("travel horizon must be positive")


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    value: float  # 0..1, 1 best
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    engineer_id: int
    name: str
    score: float
    parts: tuple[Part, ...]
    available_from: datetime
    arrival: datetime | None  # None when travel could not be estimated
    distance_km: float | None
    travel: timedelta | None
    slack: timedelta | None


@dataclass(frozen=True, slots=True)
class Excluded:
    engineer_id: int
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    suggestions: tuple[Suggestion, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def no_candidate(self) -> str | None:
        """The plain statement when nobody qualifies, else None."""
        if self.suggestions:
            return None
        if not self.excluded:
            return "no candidate: no engineer is registered"
        return f"no candidate: none of the {len(self.excluded)} engineers qualifies"


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _best_skill(candidate: Candidate, job: Job) -> Skill | None:
    matching = [
        s
        for s in candidate.skills
        if s.asset_type == job.asset_type and s.fault_code in (None, job.fault_code)
    ]
    # The highest level wins; at equal level a skill for this very fault beats a general one.
    return max(matching, key=lambda s: (s.level, s.fault_code is not None), default=None)


def _filters(candidate: Candidate, job: Job, now: datetime) -> tuple[list[str], datetime | None]:
    """Reasons to exclude (empty: qualified) and when the engineer can start."""
    reasons: list[str] = []
    skill = _best_skill(candidate, job)
    if skill is None:
        reasons.append(f"no skill for {job.asset_type} / {job.fault_code}")
    elif skill.level < job.min_skill_level:
        reasons.append(
            f"skill level {skill.level} for {job.asset_type} is below the {job.min_skill_level} required"
        )
    if candidate.level < job.min_level:
        reasons.append(f"level {candidate.level.name} is below the {job.min_level.name} required")
    for needed in job.certifications:
        held = [c for c in candidate.certifications if c.name == needed]
        if not held:
            reasons.append(f"no {needed} certification")
        elif all(c.expires_on is not None and c.expires_on < now.date() for c in held):
            latest = max(c.expires_on for c in held if c.expires_on is not None)
            reasons.append(f"{needed} certification expired on {latest.isoformat()}")
    leave = next((a for a in candidate.absences if a.starts_at <= now < a.ends_at), None)
    if leave is not None:
        reasons.append(f"on leave ({leave.reason}) until {_stamp(leave.ends_at)}")
    if candidate.open_jobs >= candidate.max_open_jobs:
        reasons.append(f"at capacity: open jobs {candidate.open_jobs} of {candidate.max_open_jobs}")
    start: datetime | None = None
    if leave is None:
        start = next_available(
            calendar=candidate.calendar,
            absences=[Interval(a.starts_at, a.ends_at) for a in candidate.absences],
            at=now,
            until=max(job.on_site_by, now),
        )
        if start is None:
            away = [
                a for a in candidate.absences if a.starts_at < job.on_site_by and a.ends_at > now
            ]
            reasons.append(
                f"not on shift before the on-site deadline {_stamp(job.on_site_by)}"
                + "".join(f"; on leave ({a.reason}) from {_stamp(a.starts_at)}" for a in away)
            )
    return reasons, start


def rank(
    *,
    job: Job,
    candidates: Sequence[Candidate],
    now: datetime,
    weights: Weights = Weights(),
    travel_time: TravelTime = straight_line(),
    business_seconds: BusinessSeconds = wall_seconds,
) -> Ranking:
    """Rank ``candidates`` for ``job`` at ``now``: qualified ones best first, the others with why."""
    suggestions: list[Suggestion] = []
    excluded: list[Excluded] = []
    notes: list[str] = []
    if job.site is None:
        notes.append("the site has no coordinates: travel is not counted for anyone")
    total = weights.skill + weights.travel + weights.load + weights.slack
    left = business_seconds(now, job.on_site_by) if job.on_site_by > now else 0.0
    for candidate in sorted(candidates, key=lambda c: c.id):
        reasons, start = _filters(candidate, job, now)
        if reasons or start is None:
            excluded.append(Excluded(candidate.id, candidate.name, tuple(reasons)))
            continue
        skill = _best_skill(candidate, job)
        assert skill is not None  # the filters passed
        what = f"{job.asset_type} / {skill.fault_code or 'any fault'}"
        parts = [
            Part(
                "skill",
                skill.level / MAX_SKILL,
                weights.skill,
                f"skill {what} level {skill.level} of {MAX_SKILL}",
            )
        ]
        origin = candidate.position or candidate.base
        origin_label = candidate.position_label if candidate.position else "home base"
        travel: timedelta | None = None
        distance: float | None = None
        if job.site is None:
            parts.append(Part("travel", 0.0, weights.travel, "site location unknown"))
        elif origin is None:
            parts.append(Part("travel", 0.0, weights.travel, "engineer has no known location"))
        else:
            distance = great_circle_km(origin, job.site)
            travel = travel_time(origin, job.site)
            value = max(0.0, 1.0 - travel / weights.travel_horizon)
            parts.append(
                Part(
                    "travel",
                    value,
                    weights.travel,
                    f"{distance:.1f} km from {origin_label}, about {_span(travel)}",
                )
            )
        free = candidate.max_open_jobs - candidate.open_jobs
        parts.append(
            Part(
                "load",
                free / candidate.max_open_jobs,
                weights.load,
                f"open jobs {candidate.open_jobs} of {candidate.max_open_jobs}",
            )
        )
        wait = business_seconds(now, start) if start > now else 0.0
        arrival = start + travel if travel is not None else None
        slack_s = left - wait - (travel.total_seconds() if travel is not None else 0.0)
        slack = timedelta(seconds=slack_s)
        on_shift = "on shift now" if start == now else f"on shift from {_stamp(start)}"
        if slack_s < 0:
            slack_reason = f"would arrive {_span(slack)} after the on-site deadline ({on_shift})"
        else:
            slack_reason = f"{_span(slack)} of SLA slack left on arrival ({on_shift})"
        if travel is None:
            slack_reason += "; travel not counted"
        slack_value = min(1.0, max(0.0, slack_s / left)) if left > 0 else 0.0
        parts.append(Part("slack", slack_value, weights.slack, slack_reason))
        score = round(sum(p.value * p.weight for p in parts) / total, 6)
        suggestions.append(
            Suggestion(
                engineer_id=candidate.id,
                name=candidate.name,
                score=score,
                parts=tuple(parts),
                available_from=start,
                arrival=arrival,
                distance_km=None if distance is None else round(distance, 1),
                travel=travel,
                slack=slack,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.engineer_id))
    return Ranking(tuple(suggestions), tuple(excluded), tuple(notes))
