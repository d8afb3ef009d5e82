"""What happened to the fleet: failures caught early or not, false alarms, preventive visits and
customer calls, each worked through as a work order (response, dispatch, visits, parts, pauses,
resolution, acceptance, reopening) and followed by a follow-up call and a survey.

Each work order is first written as a full timeline of dated steps; steps after the end of the
history are then cut off, and the work order's fields are read from what is left. A work order
therefore never shows a visit after its own resolution or a survey before it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from simulators.history import catalog, preventive
from simulators.history.fleet import AssetInfo, EngineerTraits, Fleet, Record
from simulators.history.timing import (
    AROUND_THE_CLOCK,
    iso,
    lognormal_h,
    month_of_year,
    seasonal,
)
from simulators.history.visits import Cycle, Work, cycle_steps

# Failures a year are scaled by age: +4 % a year of service, at most +60 %.
AGE_PER_YEAR = 0.04
FALSE_ALARMS_PER_YEAR = 0.12
CONSULTATIONS_PER_YEAR = 0.04
# Share of failures the models catch before they happen, by asset type (doors are not wired).
CAUGHT = {"elevator": 0.45, "chiller": 0.65, "pump": 0.7, "air_compressor": 0.6}
REOPEN_WINDOW_DAYS = 25
REACTIVE_CHANNELS = (("hotline", 0.45), ("portal", 0.3), ("email", 0.2), ("inspection", 0.05))


@dataclass(frozen=True, slots=True)
class Candidate:
    at: datetime
    asset: AssetInfo
    origin: str  # predictive, false_alarm, reactive, preventive, consultation
    fault: str
    lead: timedelta = timedelta(0)  # predictive: how long before the failure it was caught
    due: preventive.Due | None = None  # preventive: the plan's due date it was opened for


def _poisson_times(
    rng: random.Random, start: datetime, end: datetime, per_year: float, season: tuple[int, float]
) -> list[datetime]:
    """Event times of a seasonal Poisson process (thinning)."""
    peak, amplitude = season
    top = per_year * (1 + abs(amplitude))
    if top <= 0:
        return []
    times: list[datetime] = []
    t = start
    while True:
        t += timedelta(days=rng.expovariate(top / 365.0))
        if t >= end:
            return times
        if rng.random() * top <= per_year * seasonal(
            month_of_year(t), peak_month=peak, amplitude=amplitude
        ):
            times.append(t)


def candidates(
    rng: random.Random, fleet: Fleet, *, start: datetime, end: datetime
) -> list[Candidate]:
    """Everything that could open work, in time order (before de-duplication)."""
    out: list[Candidate] = []
    paid = {k: [c for c in v if c[2] == "paid"] for k, v in fleet.coverage.items()}
    for info in fleet.info:
        kind, model = info.kind, info.model
        age_y = max(0.0, (start.date() - info.installed).days / 365.0)
        rate = model.failure_rate * min(1.6, 1 + AGE_PER_YEAR * age_y)
        amplitude = kind.season * (info.region.summer if kind.peak_month in (6, 7, 8) else 1.0)
        faults = dict(kind.faults)
        for code, extra in model.weak:
            faults[code] = faults.get(code, 0) * extra
        pairs = list(faults.items())
        begin = max(start, datetime.combine(info.installed, datetime.min.time(), start.tzinfo))
        for at in _poisson_times(rng, begin, end, rate, (kind.peak_month, amplitude)):
            fault = rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]
            caught = fault != "door_fault" and rng.random() < CAUGHT[kind.name]
            if caught:
                lead = lognormal_h(rng, 24 * 9, 0.7)
                if at - lead >= begin:
                    out.append(Candidate(at - lead, info, "predictive", fault, lead))
                    continue
            out.append(Candidate(at, info, "reactive", fault))
        for at in _poisson_times(rng, begin, end, FALSE_ALARMS_PER_YEAR, (1, 0.0)):
            out.append(Candidate(at, info, "false_alarm", rng.choice(pairs)[0]))
        for at in _poisson_times(rng, begin, end, CONSULTATIONS_PER_YEAR, (1, 0.0)):
            out.append(Candidate(at, info, "consultation", "consultation"))
        # Under a paid contract, on the asset's own plan (simulators.history.preventive).
        dues, plan = preventive.schedule(
            rng, info, begin=begin, start=start, end=end, paid=paid.get(info.customer, [])
        )
        if plan is not None:
            fleet.plans.append(plan)
        out.extend(
            Candidate(d.opened_at, info, "preventive", "preventive_maintenance", due=d)
            for d in dues
        )
    out.sort(key=lambda c: (c.at, c.asset.key, c.fault))
    return out


def _engineer(rng: random.Random, team: list[EngineerTraits], kind: str) -> EngineerTraits:
    able = [e for e in team if kind in e.types] or team
    return rng.choices(able, weights=[e.types.get(kind, 1) for e in able])[0]


def _covered(fleet: Fleet, info: AssetInfo, at: datetime, warranty: set[str]) -> bool:
    day = at.date()
    return info.key in warranty or any(
        s <= day <= e for s, e, _ in fleet.coverage.get(info.customer, [])
    )


def _priority(rng: random.Random, c: Candidate, criticality: str) -> str:
    if c.origin == "predictive":
        return "urgent" if c.lead < timedelta(days=3) else "normal"
    if c.origin == "false_alarm":
        return rng.choice(("normal", "normal", "suggestion"))
    if c.origin == "reactive":
        urgent = criticality == "high" or c.fault in ("electrical", "door_fault")
        return "urgent" if urgent and rng.random() < 0.8 else "normal"
    return "suggestion"


def _opening(rng: random.Random, c: Candidate, priority: str) -> dict[str, Any]:
    """The work order's identity: kind, channel, category, detector and scores."""
    title = catalog.FAULT_TITLES.get(c.fault, c.fault.replace("_", " ").capitalize())
    fields: dict[str, Any] = {
        "kind": "equipment",
        "fault_code": c.fault,
        "fault_title": title,
        "priority": priority,
        "detector": "request",
        "model_version": "",
        "score": 0.0,
        "threshold": 0.0,
        "predicted_failure_at": None,
    }
    if c.origin in ("predictive", "false_alarm"):
        threshold = round(rng.uniform(3.0, 4.0), 3)
        ratio = rng.uniform(1.3, 3.0) if c.origin == "predictive" else rng.uniform(1.02, 1.5)
        predicted = None
        if c.origin == "predictive" or rng.random() < 0.5:
            lead = c.lead if c.lead else lognormal_h(rng, 24 * 9, 0.7)
            predicted = c.at + lead * math.exp(rng.gauss(0, 0.3))
        fields |= {
            "detector": "robust_baseline",
            "model_version": f"{c.asset.kind.name}-2026.{1 + c.at.month // 4}",
            "score": round(threshold * ratio, 3),
            "threshold": threshold,
            "predicted_failure_at": iso(predicted),
            "channel": "alert",
            "category": None,
        }
    elif c.origin == "reactive":
        channel = rng.choices([p[0] for p in REACTIVE_CHANNELS], [p[1] for p in REACTIVE_CHANNELS])[
            0
        ]
        fields |= {
            "channel": channel,
            "category": "emergency_repair" if priority == "urgent" else "troubleshooting",
        }
    elif c.origin == "preventive":
        fields |= {"kind": "service", "channel": "preventive", "category": "preventive_maintenance",
                   "fault_title": f"Preventive maintenance: {_every(c)} service"
                                  + (f" (due {c.due.due_key})" if c.due else "")}  # fmt: skip
    else:
        fields |= {"kind": "service", "channel": rng.choice(("portal", "email")),
                   "category": "consultation", "fault_title": "Consultation: operating advice"}  # fmt: skip
    return fields


def _request(
    rng: random.Random, c: Candidate, channel: str, at: datetime, outcome: str, contact: str | None
) -> Record:
    if channel == "alert":
        text = f"{catalog.FAULT_TITLES.get(c.fault, c.fault)}: anomaly score over threshold"
    elif c.origin == "preventive":
        text = f"{_every(c).capitalize()} preventive maintenance due"
    elif c.origin == "consultation":
        text = "Question about operating settings and energy use"
    else:
        text = rng.choice(catalog.REQUEST_TEXT.get(c.fault, ("Equipment fault",)))
    return {
        "channel": channel,
        "category": None,
        "description": text,
        "received_at": iso(at),
        "outcome": outcome,
        "contact": contact if channel not in ("alert", "preventive") else None,
        "complaint": None,
    }


def build_work(rng: random.Random, fleet: Fleet, *, start: datetime, end: datetime) -> list[Work]:
    """Every work order of the history, in order of creation, cut at ``end``."""
    teams: dict[str, list[EngineerTraits]] = {}
    for traits in fleet.traits.values():
        teams.setdefault(traits.region, []).append(traits)
    criticality = {a["asset"]: a["criticality"] for a in fleet.assets}
    contacts = {c["key"]: [p["name"] for p in c["contacts"]] for c in fleet.customers}
    warranty = {k for c in fleet.contracts for k in c.get("assets", [])}
    busy: dict[tuple[str, str], Work] = {}
    works: list[Work] = []
    for c in candidates(rng, fleet, start=start, end=end):
        key = (c.asset.key, c.fault)
        active = busy.get(key)
        if active is not None and (active.finished_at is None or c.at < active.finished_at):
            # The same problem again while its work order is open: a second report attaches.
            if c.origin == "reactive" and active.resolved_before(c.at) is False:
                active.requests.append(
                    _request(rng, c, rng.choice(("hotline", "email")), c.at, "attached",
                             rng.choice(contacts[c.asset.customer]))
                )  # fmt: skip
            continue
        priority = _priority(rng, c, criticality[c.asset.key])
        opening = _opening(rng, c, priority)
        engineer = _engineer(rng, teams[c.asset.region.name], c.asset.kind.name)
        first = _request(
            rng, c, opening["channel"], c.at, "created", rng.choice(contacts[c.asset.customer])
        )
        first["category"] = opening["category"]
        work = Work(
            key=f"H{len(works) + 1:06d}",
            candidate_origin=c.origin,
            asset=c.asset,
            opening=opening,
            created_at=c.at,
            billable=not _covered(fleet, c.asset, c.at, warranty),
            requests=[first],
            plan=_occurrence(c),
        )
        hours = AROUND_THE_CLOCK if priority == "urgent" else c.asset.hours
        cycle = Cycle(engineer=engineer, start=c.at, priority=priority, hours=hours)
        cycle_steps(rng, work, cycle, c)
        _maybe_reopen(rng, work, c, teams, contacts)
        work.cut(end)
        works.append(work)
        busy[key] = work
    return works


def _every(c: Candidate) -> str:
    return "half-yearly" if c.asset.tier == "vip" else "yearly"


def _occurrence(c: Candidate) -> Record | None:
    """Which plan and due date a preventive work order was opened for."""
    if c.due is None:
        return None
    return {"plan": preventive.plan_key(c.asset.key), "due_key": c.due.due_key,
            "due_at": iso(c.due.due_at)}  # fmt: skip


def _maybe_reopen(
    rng: random.Random,
    work: Work,
    c: Candidate,
    teams: dict[str, list[EngineerTraits]],
    contacts: dict[str, list[str]],
) -> None:
    """A repair that did not hold: the fault is reported again within the reopen window."""
    if work.closed_at is None or work.resolution != "confirmed_fault":
        return
    engineer = work.cycles[-1].engineer
    chance = engineer.repeat * (1.6 if c.asset.model.weak else 1.0)
    if rng.random() >= chance:
        return
    at = work.closed_at + timedelta(days=rng.uniform(1.0, REOPEN_WINDOW_DAYS))
    channel = "alert" if c.origin == "predictive" and rng.random() < 0.5 else "hotline"
    work.requests.append(
        _request(rng, c, channel, at, "reopened", rng.choice(contacts[c.asset.customer]))
    )
    work.reopen(at)
    # Usually the same engineer goes back; sometimes a more senior colleague.
    team = teams[c.asset.region.name]
    again = engineer if rng.random() < 0.7 else _engineer(rng, team, c.asset.kind.name)
    priority = "urgent" if work.opening["priority"] == "urgent" else "normal"
    hours = AROUND_THE_CLOCK if priority == "urgent" else c.asset.hours
    cycle = Cycle(engineer=again, start=at, priority=priority, hours=hours)
    cycle_steps(rng, work, cycle, c, repeat=True)
