"""One work order's life as dated steps: response, dispatch, visits on site, parts, pauses,
resolution, the customer's acceptance, the follow-up call and the survey.

A reopened work order gets a second cycle of the same steps. ``Work.cut`` drops every step at or
after the end of the history; ``Work.record`` then reads the work order's fields from the steps
that are left, the way the work-order service stamps them (first response, first visit and
resolution of the latest cycle, visits counted over all cycles).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from simulators.history import catalog, preventive
from simulators.history.callbacks import callback
from simulators.history.fleet import AssetInfo, EngineerTraits, Record
from simulators.history.timing import EXTENDED, Hours, iso, lognormal_h, next_working, parse

if TYPE_CHECKING:
    from simulators.history.work import Candidate

# What work outside warranty and contract is invoiced: a call-out, hours on site, parts.
CALL_OUT = 120.0
HOURLY_RATE = 95.0
PART_COST = {p[0]: p[4] for p in catalog.PARTS}
RESPONSE_MEDIAN_H = {"urgent": 0.4, "normal": 1.2, "suggestion": 3.0}
SURVEY_LIFETIME = timedelta(days=14)
WEAK_ANSWERS = (
    "Took too long to get someone here.",
    "The fault came back.",
    "Engineer had to come twice.",
    "Nobody told us when the engineer would arrive.",
)


@dataclass(slots=True)
class Cycle:
    engineer: EngineerTraits
    start: datetime
    priority: str
    hours: Hours


@dataclass(slots=True)
class Step:
    at: datetime
    status: str  # dispatched, in_progress, resolved, closed, reopened
    actor: str


@dataclass(slots=True)
class Work:
    key: str
    candidate_origin: str
    asset: AssetInfo
    opening: dict[str, Any]
    created_at: datetime
    billable: bool
    requests: list[Record]
    steps: list[Step] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)
    pauses: list[Record] = field(default_factory=list)
    dispatches: list[Record] = field(default_factory=list)
    visits: list[Record] = field(default_factory=list)
    parts: list[Record] = field(default_factory=list)
    kb_uses: list[Record] = field(default_factory=list)
    articles: list[Record] = field(default_factory=list)
    surveys: list[Record] = field(default_factory=list)
    follow_ups: list[Record] = field(default_factory=list)
    resolutions: list[tuple[datetime, str, str]] = field(default_factory=list)
    alert_started_at: datetime | None = None
    plan: Record | None = None  # preventive: its plan and due date (simulators.history.preventive)

    # -- while generating --------------------------------------------------------------------

    @property
    def closed_at(self) -> datetime | None:
        closed = [s.at for s in self.steps if s.status == "closed"]
        return closed[-1] if closed else None

    @property
    def finished_at(self) -> datetime | None:
        """When the work order stopped being the asset's open one for its problem."""
        return self.closed_at if self.steps and self.steps[-1].status == "closed" else None

    @property
    def resolution(self) -> str | None:
        return self.resolutions[-1][1] if self.resolutions else None

    def resolved_before(self, at: datetime) -> bool:
        return any(s.status == "resolved" and s.at <= at for s in self.steps[-3:])

    def reopen(self, at: datetime) -> None:
        self.steps.append(Step(at, "reopened", "vigil"))

    # -- cutting at the end of the history ----------------------------------------------------

    def cut(self, end: datetime) -> None:
        self.steps = [s for s in self.steps if s.at < end]
        self.requests = [r for r in self.requests if r["received_at"] < iso(end)]
        for pause in self.pauses:
            if pause["until"] is not None and pause["until"] >= iso(end):
                pause["until"] = None
        self.pauses = [p for p in self.pauses if p["at"] < iso(end)]
        self.dispatches = [d for d in self.dispatches if d["at"] < iso(end)]
        for visit in self.visits:
            if visit["check_out"] is not None and visit["check_out"] >= iso(end):
                visit["check_out"] = None
                visit["outcome"] = None
        self.visits = [v for v in self.visits if v["check_in"] < iso(end)]
        self.parts = [p for p in self.parts if p["at"] < iso(end)]
        self.kb_uses = [u for u in self.kb_uses if u["at"] < iso(end)]
        self.articles = [a for a in self.articles if a["at"] < iso(end)]
        self.resolutions = [r for r in self.resolutions if r[0] < end]
        for survey in self.surveys:
            if survey["answered_at"] is not None and survey["answered_at"] >= iso(end):
                survey["answered_at"] = None
                for name in ("overall", "speed", "competence", "communication", "recommend"):
                    survey[name] = None
                survey["comment"] = None
                survey["callback"] = None
            called = survey["callback"]
            if (
                called is not None
                and called["done_at"] is not None
                and called["done_at"] >= iso(end)
            ):
                called["done_at"] = None
        self.surveys = [s for s in self.surveys if s["sent_at"] < iso(end)]
        for task in self.follow_ups:
            if task["done_at"] is not None and task["done_at"] >= iso(end):
                task["done_at"] = None
                task["status"] = "open"
        self.follow_ups = [t for t in self.follow_ups if t["created_at"] < iso(end)]

    def record(self) -> Record:
        """The work order as the loader reads it (see ``simulators.history``)."""
        status, latest = "open", self.created_at
        stamps: dict[str, datetime | None] = dict.fromkeys(
            ("responded_at", "on_site_at", "resolved_at", "closed_at")
        )
        reopened_at, repeat, visits = None, 0, 0
        audit: list[Record] = [{"at": iso(self.created_at), "action": "created", "actor": "vigil"}]
        for step in self.steps:
            audit.append({"at": iso(step.at), "action": f"status:{status}->{step.status}",
                          "actor": step.actor})  # fmt: skip
            status, latest = step.status, step.at
            if step.status == "reopened":
                reopened_at, repeat = step.at, repeat + 1
                stamps = dict.fromkeys(stamps)
            elif step.status == "dispatched":
                stamps["responded_at"] = stamps["responded_at"] or step.at
            elif step.status == "in_progress":
                visits += 1
                stamps["responded_at"] = stamps["responded_at"] or step.at
                stamps["on_site_at"] = stamps["on_site_at"] or step.at
            elif step.status in ("resolved", "closed"):
                stamps[f"{step.status}_at"] = step.at
        resolution = None
        if status in ("resolved", "closed") and self.resolutions:
            resolution = self.resolutions[-1]
        answered = [
            s for s in self.surveys
            if s["overall"] is not None and (reopened_at is None or s["sent_at"] > iso(reopened_at))
        ]  # fmt: skip
        cycle_parts = [
            p["part"] for p in self.parts if reopened_at is None or p["at"] > iso(reopened_at)
        ]
        return {
            "key": self.key,
            "origin": self.candidate_origin,
            "site": self.asset.site,
            "asset": self.asset.key,
            **self.opening,
            "detected_at": iso(self.created_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(latest),
            "status": status,
            **{name: iso(value) for name, value in stamps.items()},
            "visits": visits,
            "repeat_count": repeat,
            "reopened_at": iso(reopened_at),
            "resolution_code": resolution[1] if resolution else None,
            "resolution_notes": resolution[2] if resolution else None,
            "parts_used": cycle_parts if resolution else [],
            "assignee": self.dispatches[-1]["engineer"] if self.dispatches else None,
            "csat": answered[-1]["overall"] if answered and resolution else None,
            "billable": self.billable,
            "billed_amount": self._billed() if resolution and self.billable else None,
            "alert_started_at": iso(self.alert_started_at),
            "requests": self.requests,
            "pauses": self.pauses,
            "dispatches": self.dispatches,
            "visits_on_site": self.visits,
            "parts": self.parts,
            "kb_uses": self.kb_uses,
            "surveys": self.surveys,
            "follow_ups": self.follow_ups,
            "plan": self.plan,
            "audit": audit,
        }

    def _billed(self) -> float:
        hours = sum(
            (parse(v["check_out"]) - parse(v["check_in"])).total_seconds() / 3600
            for v in self.visits
            if v["check_out"] is not None
        )
        parts = sum(PART_COST[p["part"]] * int(p["quantity"]) for p in self.parts)
        return round(float(CALL_OUT * len(self.visits) + HOURLY_RATE * hours + parts), 2)


def _clamp(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(value)))


def cycle_steps(
    rng: random.Random, work: Work, cycle: Cycle, c: Candidate, *, repeat: bool = False
) -> None:
    """Append one cycle (response to acceptance) of ``work`` and what follows it."""
    info, eng, region = c.asset, cycle.engineer, c.asset.region
    work.cycles.append(cycle)
    if c.origin in ("predictive", "false_alarm") and not repeat:
        work.alert_started_at = cycle.start - lognormal_h(rng, 2.0, 0.5)
    urgent = cycle.priority == "urgent"
    # The service desk answers urgent work at once, the rest in its own hours (06-22 on weekdays).
    base = cycle.start if urgent else next_working(cycle.start, zone=info.zone, hours=EXTENDED)
    median = RESPONSE_MEDIAN_H[cycle.priority] * math.sqrt(region.travel) * eng.speed
    responded = base + lognormal_h(rng, median, 0.8)
    work.steps.append(Step(responded, "dispatched", "dispatcher"))
    work.dispatches.append(
        {"engineer": eng.code, "at": iso(responded), "mode": "auto" if urgent else "manual"}
    )
    ready = responded
    if not urgent and rng.random() < 0.06:
        until = responded + timedelta(hours=1) + timedelta(days=rng.uniform(1, 4))
        work.pauses.append({"at": iso(responded + timedelta(hours=1)), "until": iso(until),
                            "reason": "waiting_for_customer"})  # fmt: skip
        ready = until
    arrive = _arrival(rng, c, cycle, ready, repeat)
    service = c.origin in ("preventive", "consultation", "false_alarm")
    duration = lognormal_h(rng, info.kind.repair_h * (0.5 if service else 1.0), 0.4)
    skilled = eng.types.get(info.kind.name, 1) >= 2
    fixed_first = service or rng.random() < eng.first_fix * (1.0 if skilled else 0.9)
    out = arrive + duration
    work.steps.append(Step(arrive, "in_progress", eng.code))
    if not fixed_first:
        needs_parts = rng.random() < 0.7
        work.visits.append({"engineer": eng.code, "check_in": iso(arrive), "check_out": iso(out),
                            "outcome": "needs_parts" if needs_parts else "not_fixed"})  # fmt: skip
        again = next_working(out + lognormal_h(rng, 30, 0.6), zone=info.zone, hours=info.hours)
        if needs_parts:
            work.pauses.append({"at": iso(out), "until": iso(again - timedelta(minutes=30)),
                                "reason": "waiting_for_parts"})  # fmt: skip
        work.steps.append(Step(again, "in_progress", eng.code))
        arrive, out = again, again + lognormal_h(rng, info.kind.repair_h * 0.8, 0.4)
    work.visits.append({"engineer": eng.code, "check_in": iso(arrive), "check_out": iso(out),
                        "outcome": "done"})  # fmt: skip
    code, notes = _resolution(rng, c)
    work.steps.append(Step(out, "resolved", eng.code))
    work.resolutions.append((out, code, notes))
    if code == "confirmed_fault" or c.origin == "preventive":
        for number in _parts_for(rng, c):
            work.parts.append({"part": number, "quantity": 1, "at": iso(out), "engineer": eng.code})
    if not service and rng.random() < eng.uses_kb:
        work.kb_uses.append({"engineer": eng.code, "at": iso(arrive + timedelta(minutes=10)),
                             "fault_code": c.fault, "asset_type": info.kind.name})  # fmt: skip
    if code == "confirmed_fault" and rng.random() < eng.writes_kb:
        work.articles.append({"engineer": eng.code, "at": iso(out + timedelta(days=2)),
                              "fault_code": c.fault, "asset_type": info.kind.name,
                              "model": info.model.name})  # fmt: skip
    closed = out + lognormal_h(rng, 30, 0.6)
    work.steps.append(Step(closed, "closed", "customer"))
    slow = responded - cycle.start > timedelta(hours=6)
    if (slow or not fixed_first or repeat) and rng.random() < 0.25:
        _complain(rng, work, c, cycle.start, out, slow=slow, repeat=repeat)
    if code == "confirmed_fault":  # as the follow-up generator: no call after a false alarm
        _follow_up(rng, work, c, out, eng)
    if rng.random() < (0.85 if info.tier == "vip" else 0.65):
        _survey(rng, work, closed, eng, slow=slow, fixed_first=fixed_first, repeat=repeat)


def _arrival(
    rng: random.Random, c: Candidate, cycle: Cycle, ready: datetime, repeat: bool
) -> datetime:
    info, eng, travel = c.asset, cycle.engineer, c.asset.region.travel
    if c.origin == "preventive" and not repeat:
        due = c.due.due_at if c.due else c.at + timedelta(days=10)
        late = preventive.slip(info.key, c.due) if c.due else timedelta(0)
        return next_working(max(ready, due) + late + timedelta(hours=rng.uniform(0, 30)),
                            zone=info.zone, hours=info.hours)  # fmt: skip
    if cycle.priority == "urgent":
        return ready + lognormal_h(rng, 2.5 * travel * eng.speed, 0.5)
    wait = 22 * travel * eng.speed if cycle.priority == "normal" else 24 * 4
    return next_working(ready + lognormal_h(rng, wait, 0.6), zone=info.zone, hours=info.hours)


def _resolution(rng: random.Random, c: Candidate) -> tuple[str, str]:
    if c.origin == "false_alarm":
        return "false_alarm", "Inspected on site: readings normal, no fault found on the equipment."
    if c.origin == "preventive":
        return "no_fault_found", "Preventive maintenance done: checklist completed."
    if c.origin == "consultation":
        return "no_fault_found", "Advice given on operating settings."
    if c.origin == "reactive" and rng.random() < 0.07:
        return "no_fault_found", "Could not reproduce the fault; settings checked."
    title = catalog.FAULT_TITLES.get(c.fault, c.fault)
    return "confirmed_fault", f"{title}: repaired and tested."


def _parts_for(rng: random.Random, c: Candidate) -> list[str]:
    kind = c.asset.kind.name
    if c.origin == "preventive":
        pool = [p[0] for p in catalog.PARTS if kind in p[2] and p[4] < 60]
        return [rng.choice(pool)] if pool and rng.random() < 0.5 else []
    pool = [p[0] for p in catalog.PARTS if kind in p[2] and c.fault in p[3]]
    if not pool or rng.random() < 0.08:
        return []
    n = 2 if rng.random() < 0.15 and len(pool) > 1 else 1
    return rng.sample(pool, n)


def _complain(
    rng: random.Random, work: Work, c: Candidate, start: datetime, resolved: datetime,
    *, slow: bool, repeat: bool,
) -> None:  # fmt: skip
    reason = "same fault again" if repeat else "slow response" if slow else rng.choices(
        [r for r, _ in catalog.COMPLAINT_REASONS], [w for _, w in catalog.COMPLAINT_REASONS]
    )[0]  # fmt: skip
    at = start + (resolved - start) * rng.uniform(0.2, 0.9)
    work.requests.append({
        "channel": rng.choice(("hotline", "email")), "category": "consultation",
        "description": f"Complaint: {reason}.", "received_at": iso(at), "outcome": "attached",
        "contact": None, "complaint": reason,
    })  # fmt: skip


def _follow_up(rng: random.Random, work: Work, c: Candidate, resolved: datetime,
               eng: EngineerTraits) -> None:  # fmt: skip
    due = resolved + timedelta(hours=24)
    done = None
    if rng.random() < (0.95 if c.asset.region.travel < 1.0 else 0.82):
        done = due + lognormal_h(rng, 5, 0.8) - timedelta(hours=2)
    work.follow_ups.append({
        "kind": "after_repair", "due_key": iso(resolved), "created_at": iso(resolved),
        "due_at": iso(due), "assignee": eng.code, "status": "done" if done else "open",
        "done_at": iso(done), "channel": rng.choice(("phone", "phone", "email", "visit")),
    })  # fmt: skip


def _survey(rng: random.Random, work: Work, closed: datetime, eng: EngineerTraits, *,
            slow: bool, fixed_first: bool, repeat: bool) -> None:  # fmt: skip
    sent = closed + lognormal_h(rng, 4, 0.5)
    record: Record = {
        "sent_at": iso(sent), "expires_at": iso(sent + SURVEY_LIFETIME), "answered_at": None,
        "overall": None, "speed": None, "competence": None, "communication": None,
        "recommend": None, "comment": None, "callback": None,
    }  # fmt: skip
    work.surveys.append(record)
    if rng.random() >= 0.6:
        return
    base = 4.5 + eng.manner - 0.8 * slow - 0.9 * (not fixed_first) - 1.4 * repeat
    base += rng.gauss(0, 0.45)
    record |= {
        "answered_at": iso(sent + lognormal_h(rng, 20, 0.8)),
        "overall": _clamp(base + rng.gauss(0, 0.3), 1, 5),
        "speed": _clamp(base - 0.5 * slow + rng.gauss(0, 0.4), 1, 5),
        "competence": _clamp(base + 0.2 + rng.gauss(0, 0.4), 1, 5),
        "communication": _clamp(base + rng.gauss(0, 0.5), 1, 5),
        "recommend": _clamp((base - 1.0) * 2.6 + rng.gauss(0, 1.1), 0, 10),
    }
    if record["overall"] <= 2:
        record["comment"] = rng.choice(WEAK_ANSWERS)
    record["callback"] = callback(record, work.key)
