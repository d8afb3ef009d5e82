"""Work orders of a history as the work-order service would have left them: gap-free numbers
from the year's counter, the change sequence, the SLA clock's log, deadlines and milestones
computed by ``workorders.sla.clock`` in the site's business time, the audit trail, the requests
that reported each one (numbered from their counter, with coverage and billing), and the alert
episodes of predictive work.

Bulk inserts: a year on 10,000 assets is some 20,000 work orders and ten times as many rows
around them, which the one-at-a-time services would take most of an hour to write. What those
services guarantee is kept: one open work order per asset and problem (the generator never
overlaps them, and the partial unique index would refuse it), at most one live alert per asset
and fault, deadlines from the same clock code, counters moved past every number handed out.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertState, AlertTransition
from customers.calendar import Calendar, Pause, deadline
from simulators.history.timing import parse
from vigil.history import bulk
from vigil.history.organisation import ACTOR, AssetRef, Keys
from workorders.catalog import fault_info
from workorders.counters import CHANGES
from workorders.models import FINISHED, Counter, Priority, WorkOrder, WorkOrderAudit
from workorders.requests.models import Coverage, ServiceRequest
from workorders.service import FOLLOW_UP
from workorders.sla import plans
from workorders.sla.clock import ClockState, Event, compute
from workorders.sla.models import ClockEvent, ClockEventKind, ClockKind, Milestone, SlaPlan

MET = {ClockKind.RESPOND: "responded_at", ClockKind.ON_SITE: "on_site_at",
       ClockKind.RESOLVE: "resolved_at"}  # fmt: skip
IMPORTED_NO_SIGNATURE = "imported from the service history, which keeps no signatures"


def _amount(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _t(value: str | None) -> datetime | None:
    return parse(value) if value is not None else None


@dataclass(slots=True)
class Clocks:
    """SLA targets and site calendars, read once for the whole load."""

    targets: dict[tuple[int, Priority, Any], plans.Targets]
    calendars: dict[str, Calendar]
    zones: dict[str, str]

    @classmethod
    def read(cls, session: Session, keys: Keys) -> Clocks:
        targets = {}
        for plan in session.scalars(sa.select(SlaPlan)):
            for cell in plan.targets:
                targets[plan.id, cell.priority, cell.customer_tier] = plans.targets(
                    plan=plan, priority=cell.priority, tier=cell.customer_tier
                )
        calendars = {
            code: Calendar.from_site(timezone=r["timezone"], business_hours=r["business_hours"])
            for code, r in keys.site_records.items()
        }
        zones = {code: r["timezone"] for code, r in keys.site_records.items()}
        return cls(targets, calendars, zones)

    def state(self, site: str, events: list[Event], now: datetime) -> ClockState:
        calendar = self.calendars[site]
        always = Calendar.around_the_clock(self.zones[site])

        def targets_for(priority: Priority, tier: Any, plan_id: int | None) -> plans.Targets:
            assert plan_id is not None
            return self.targets[plan_id, priority, tier]

        return compute(
            events=events,
            targets_for=targets_for,
            calendar_for=lambda around: always if around else calendar,
            now=now,
        )

    def finished(self, site: str, events: list[Event]) -> dict[ClockKind, datetime]:
        """The deadlines ``compute`` gives a log of starts, pauses and resumes only, every pause
        closed (the clock of finished work), without its escalation milestones: a third of the
        calendar arithmetic. ``tests/vigil/test_history.py`` checks both agree."""
        start = [e for e in events if e.kind is ClockEventKind.START][-1]
        assert start.priority is not None
        assert start.tier is not None
        assert start.plan_id is not None
        targets = self.targets[start.plan_id, start.priority, start.tier]
        calendar = (
            Calendar.around_the_clock(self.zones[site])
            if targets.around_the_clock
            else self.calendars[site]
        )
        pauses, since = [], None
        for e in events:
            if e.at < start.at:
                continue
            if e.kind is ClockEventKind.PAUSE and since is None:
                since = e.at
            elif e.kind is ClockEventKind.RESUME and since is not None:
                pauses.append(Pause(since, e.at))
                since = None
        assert since is None, "a finished clock has no open pause"
        seconds = {ClockKind.RESPOND: targets.respond_s, ClockKind.ON_SITE: targets.on_site_s,
                   ClockKind.RESOLVE: targets.resolve_s}  # fmt: skip
        return {
            kind: deadline(start=start.at, business_seconds=s, calendar=calendar, pauses=pauses)
            for kind, s in seconds.items()
        }


def cover(keys: Keys, asset: AssetRef, day: date) -> tuple[Coverage, str | None, str | None]:
    """What pays (warranty first, then a paid contract), the plan named, the billing reason."""
    best: tuple[Coverage, str | None, str | None] | None = None
    for starts, ends, kind, plan, ids in keys.coverage.get(asset.customer_id, []):
        if starts <= day <= ends and (ids is None or asset.id in ids):
            if kind == "warranty":
                return Coverage.WARRANTY, None, None
            best = best or (Coverage.CONTRACT, plan, None)
    return best or (Coverage.NONE, None, "no warranty or contract covers the asset that day")


def _events(w: dict[str, Any], priority: Priority, asset: AssetRef, plan_id: int) -> list[Event]:
    start = Event(kind=ClockEventKind.START, at=parse(w["created_at"]), priority=priority,
                  tier=asset.tier, plan_id=plan_id)  # fmt: skip
    timed: list[Event] = []
    for p in w["pauses"]:
        timed.append(Event(kind=ClockEventKind.PAUSE, at=parse(p["at"]), reason=p["reason"]))
        if p["until"] is not None:
            timed.append(Event(kind=ClockEventKind.RESUME, at=parse(p["until"])))
    for r in w["requests"]:
        if r["outcome"] == "reopened":
            timed.append(Event(kind=ClockEventKind.START, at=parse(r["received_at"]),
                               priority=priority, tier=asset.tier, plan_id=plan_id))  # fmt: skip
    return [start, *sorted(timed, key=lambda e: e.at)]


def _numbers(session: Session, prefix: str, years: list[int]) -> Iterator[str]:
    """Next numbers of the per-year counters (``prefix:YYYY``), moved past the last one."""
    used: dict[int, int] = {}
    for year in sorted(set(years)):
        name = f"{prefix}:{year}"
        used[year] = int(session.scalar(sa.select(Counter.value).where(Counter.name == name)) or 0)
    final = dict(used)
    for year in years:
        final[year] += 1
    for year, value in final.items():
        _set_counter(session, f"{prefix}:{year}", value)
    for year in years:
        used[year] += 1
        yield f"{year}-{used[year]:06d}"


def _set_counter(session: Session, name: str, value: int) -> None:
    if session.get(Counter, name) is None:
        session.add(Counter(name=name, value=value))
    else:
        session.execute(sa.update(Counter).where(Counter.name == name).values(value=value))
    session.flush()


def insert_work_orders(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, now: datetime
) -> dict[str, uuid.UUID]:
    """Insert the work orders and what the work-order layer keeps about them; their ids by key."""
    clocks = Clocks.read(session, keys)
    ids = {w["key"]: uuid.uuid4() for w in records}
    numbers = _numbers(session, "work_order_number", [parse(w["created_at"]).year for w in records])
    changes = int(session.scalar(sa.select(Counter.value).where(Counter.name == CHANGES)) or 0)
    by_update = sorted(records, key=lambda w: (w["updated_at"], w["key"]))
    change_seq = {w["key"]: changes + i + 1 for i, w in enumerate(by_update)}
    _set_counter(session, CHANGES, changes + len(records))
    rows, clock_rows, milestone_rows, audit_rows = [], [], [], []
    for w, number in zip(records, numbers, strict=True):
        asset = keys.assets[w["asset"]]
        wo_id, priority = ids[w["key"]], Priority(w["priority"])
        created = parse(w["created_at"])
        covered, plan_name, billing = cover(keys, asset, created.date())
        plan_id = keys.plans.get(plan_name or "", keys.plans[plans.DEFAULT_PLAN])
        events = _events(w, priority, asset, plan_id)
        version = len(events)
        # Finished work keeps its deadlines (for the KPIs) but needs no escalation milestones.
        finished = w["status"] in FINISHED
        state = None if finished else clocks.state(asset.site, events, now)
        dues = (
            clocks.finished(asset.site, events)
            if state is None
            else {kind: d.due for kind, d in state.deadlines.items()}
        )
        info = fault_info(w["fault_code"])
        signer = next(iter(keys.contacts[asset.customer_id]), "site contact")
        equipment = w["kind"] == "equipment"
        resolved = _t(w["resolved_at"])
        rows.append({
            "id": wo_id, "number": f"WO-{number}", "change_seq": change_seq[w["key"]],
            "version": len(w["audit"]), "asset_id": asset.id, "kind": w["kind"],
            "fault_code": w["fault_code"], "fault_title": w["fault_title"][:200],
            "detector": w["detector"], "model_version": w["model_version"], "score": w["score"],
            "threshold": w["threshold"], "top_metrics": {}, "priority": priority.value,
            "status": w["status"], "detected_at": parse(w["detected_at"]), "created_at": created,
            "updated_at": parse(w["updated_at"]),
            "predicted_failure_at": _t(w["predicted_failure_at"]),
            "respond_by": dues[ClockKind.RESPOND], "on_site_by": dues[ClockKind.ON_SITE],
            "resolve_by": dues[ClockKind.RESOLVE], "sla_clock_version": version,
            "sla_paused_since": state.paused_since if state else None,
            "sla_pause_reason": state.pause_reason if state else None,
            "sla_resume_at": state.resume_at if state else None,
            "responded_at": _t(w["responded_at"]), "on_site_at": _t(w["on_site_at"]),
            "resolved_at": resolved, "closed_at": _t(w["closed_at"]), "visits": w["visits"],
            "suggested_actions": list(info.actions) if equipment else [],
            "suggested_parts": list(info.parts) if equipment else [],
            "assignee": w["assignee"], "resolution_code": w["resolution_code"],
            "resolution_notes": w["resolution_notes"], "parts_used": w["parts_used"],
            "csat": w["csat"], "external_ref": None, "repeat_count": w["repeat_count"],
            # A repair needs the customer's acceptance or why there is none: the history has no
            # signatures, so it says so (workorders.service.record_resolution's rule).
            "no_acceptance_reason": IMPORTED_NO_SIGNATURE
            if w["resolution_code"] == "confirmed_fault" else None,
            "reopened_at": _t(w["reopened_at"]),
            "follow_up_until": resolved + FOLLOW_UP if resolved and w["status"] == "resolved" else None,
            "channel": w["channel"], "channels": [r["channel"] for r in w["requests"]],
            "category": w["category"],
            "classification": [f"{priority.value}: from the imported service history ({w['origin']})"],
            "billable": covered is Coverage.NONE, "billable_reason": billing,
            "billed_amount": _amount(w["billed_amount"]) if covered is Coverage.NONE else None,
            # The customer signed for the repair at the end of the last visit.
            "accepted_by": signer if resolved and w["resolution_code"] else None,
            "accepted_at": resolved if w["resolution_code"] else None,
        })  # fmt: skip
        for e in events:
            clock_rows.append({
                "work_order_id": wo_id, "kind": e.kind.value, "at": e.at, "actor": ACTOR,
                "reason": e.reason, "resume_at": None,
                "priority": e.priority.value if e.priority else None,
                "customer_tier": e.tier.value if e.tier else None, "plan_id": e.plan_id,
            })  # fmt: skip
        for kind, clock in state.deadlines.items() if state else ():
            met = _t(w[MET[kind]])
            for level, due in clock.milestones:
                fired = due if due < min(met or now, now) else None
                milestone_rows.append({
                    "work_order_id": wo_id, "clock": kind.value, "level": level,
                    "clock_version": version, "due_at": due, "fired_at": fired,
                    "told": [ACTOR] if fired else [],
                })  # fmt: skip
        for n, a in enumerate(w["audit"], start=1):
            audit_rows.append({"work_order_id": wo_id, "at": parse(a["at"]), "actor": a["actor"],
                               "action": a["action"], "changes": {}, "version": n})  # fmt: skip
        for v in w["visits_on_site"]:
            if v["check_out"] is not None:
                audit_rows.append({
                    "work_order_id": wo_id, "at": parse(v["check_out"]), "actor": v["engineer"],
                    "action": "visit", "version": len(w["audit"]),
                    "changes": {"check_in": v["check_in"], "check_out": v["check_out"],
                                "outcome": v["outcome"]},
                })  # fmt: skip
    bulk.insert(session, WorkOrder, rows)
    bulk.insert(session, ClockEvent, clock_rows)
    bulk.insert(session, Milestone, milestone_rows)
    bulk.insert(session, WorkOrderAudit, audit_rows)
    return ids


def insert_requests(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """Every request that reported a work order, numbered from its year's counter."""
    flat = [(w, r) for w in records for r in w["requests"]]
    flat.sort(key=lambda pair: (pair[1]["received_at"], pair[0]["key"]))
    numbers = _numbers(
        session, "service_request_number", [parse(r["received_at"]).year for _, r in flat]
    )
    rows = []
    for (w, r), number in zip(flat, numbers, strict=True):
        asset = keys.assets[w["asset"]]
        at = parse(r["received_at"])
        covered, _plan, billing = cover(keys, asset, at.date())
        contact = keys.contacts[asset.customer_id].get(r["contact"] or "")
        rows.append({
            "id": uuid.uuid4(), "number": f"RQ-{number}", "channel": r["channel"],
            "category": r["category"], "description": r["description"],
            "problem": w["fault_code"], "asset_id": asset.id, "site_id": asset.site_id,
            "customer_id": asset.customer_id, "contact_id": contact,
            "contact_name": r["contact"] if contact is None else None, "contact_phone": None,
            "contact_email": None, "wanted_at": None, "received_at": at,
            "raised_by": "vigil" if r["channel"] in ("alert", "preventive") else ACTOR,
            "work_order_id": ids[w["key"]], "outcome": r["outcome"], "priority": w["priority"],
            "reasons": [f"complaint: {r['complaint']}"] if r["complaint"] else [],
            "coverage": covered.value, "billable": covered is Coverage.NONE,
            "billable_reason": billing,
        })  # fmt: skip
    bulk.insert(session, ServiceRequest, rows)
    return len(rows)


def insert_alerts(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """The alert episode behind each predictive work order (and each false alarm): pending,
    firing when the work order opened, resolved when the repair was done."""
    alerts, transitions = [], []
    for w in records:
        if w["alert_started_at"] is None:
            continue
        asset = keys.assets[w["asset"]]
        alert_id = uuid.uuid4()
        started, firing = parse(w["alert_started_at"]), parse(w["detected_at"])
        resolved = _t(w["resolved_at"])
        alerts.append({
            "id": alert_id, "site": asset.site, "asset": asset.asset,
            "asset_type": asset.asset_type, "fault_code": w["fault_code"], "kind": w["kind"],
            "state": (AlertState.RESOLVED if resolved else AlertState.FIRING).value,
            "started_at": started, "firing_at": firing, "resolved_at": resolved,
            "updated_at": resolved or firing, "above_count": 3, "below_count": 3 if resolved else 0,
            "detector": w["detector"], "model_version": w["model_version"],
            "threshold": w["threshold"], "last_score": w["threshold"] * 0.5 if resolved else w["score"],
            "peak_score": w["score"], "contributions": {}, "flapping": False,
            "work_order_id": ids[w["key"]],
        })  # fmt: skip
        steps = [
            (started, None, AlertState.PENDING, "score over threshold"),
            (firing, AlertState.PENDING, AlertState.FIRING, "above threshold 3 windows"),
        ]
        if resolved:
            steps.append((resolved, AlertState.FIRING,
                          AlertState.RESOLVED, "below the lower threshold 3 windows"))  # fmt: skip
        for at, before, after, cause in steps:
            transitions.append({"alert_id": alert_id, "at": at, "cause": cause,
                                "from_state": before.value if before else None,
                                "to_state": after.value, "score": w["score"]})  # fmt: skip
    bulk.insert(session, Alert, alerts)
    bulk.insert(session, AlertTransition, transitions)
    return len(alerts)
