"""The preventive maintenance plans behind a history's preventive work orders.

Each asset under a paid contract is serviced on a calendar plan of its own (the way maintenance
plans are kept per piece of equipment): every 182 days for VIP customers, every 364 for the
others, on a fixed phase per asset, the work opened ``LEAD`` ahead of each due date. The plan is
written with its due dates as Vigil's planner counts them (``start_on`` plus whole intervals, in
the site's local dates), so that the loaded history and Vigil's own scheduler, running on after
it, agree on which due dates already have their work.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from simulators.history.fleet import AssetInfo, Record
from simulators.history.timing import iso

EVERY_DAYS = 182  # VIP; the others twice that
# Some visits are put off past the due date (the customer's production, no access to the plant
# room, an engineer off sick): this share, by a few days to a few weeks (median days).
SLIP_SHARE = 0.15
SLIP_MEDIAN_DAYS = 5.0
LEAD = timedelta(days=10)
GRACE_DAYS = 7
STEPS = {
    "elevator": ["Test the safety gear and the door interlocks", "Check ropes and brake linings",
                 "Lubricate the guide rails"],
    "chiller": ["Check the refrigerant charge and look for leaks", "Clean the condenser coils",
                "Check the compressor oil"],
    "pump": ["Check the mechanical seal for leaks", "Grease the bearings",
             "Check the alignment and the vibration"],
    "air_compressor": ["Change the oil and the oil filter", "Replace the air intake filter",
                       "Test the safety valve"],
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Due:
    """One due date of a plan: when its work is opened, when it falls due, its key."""

    opened_at: datetime
    due_at: datetime
    due_key: str  # the site-local due date, as Vigil's planner keys an occurrence


def slip(asset: str, due: Due) -> timedelta:
    """How long the visit for ``due`` was put off. From its own generator, seeded by the asset
    and the due date, so that it moves no other number of the history."""
    rng = random.Random(f"slip:{asset}:{due.due_key}")
    if rng.random() >= SLIP_SHARE:
        return timedelta(0)
    return timedelta(days=rng.lognormvariate(math.log(SLIP_MEDIAN_DAYS), 0.7))


def plan_key(asset: str) -> str:
    return f"PM-{asset}"


def schedule(
    rng: random.Random,
    info: AssetInfo,
    *,
    begin: datetime,
    start: datetime,
    end: datetime,
    paid: list[tuple[date, date, str]],
) -> tuple[list[Due], Record | None]:
    """The due dates whose work is opened within the history under a paid contract, and the
    plan (None when the asset never had one). Draws exactly one number from ``rng``."""
    every = timedelta(days=EVERY_DAYS if info.tier == "vip" else 2 * EVERY_DAYS)
    first = start - every + timedelta(days=rng.uniform(0, every.days))
    zone = ZoneInfo(info.zone)
    start_on = first.astimezone(zone).date()
    dues: list[Due] = []
    covered_at_end = False
    due, cycle = first, 0
    while due < end + LEAD:
        under_contract = any(s <= due.date() <= e for s, e, _ in paid)
        if due - LEAD >= begin and under_contract:
            key = (start_on + every * cycle).isoformat()
            dues.append(Due(opened_at=due - LEAD, due_at=due, due_key=key))
        covered_at_end = under_contract
        due, cycle = due + every, cycle + 1
    if not dues:
        return [], None
    half = every.days == EVERY_DAYS
    plan: Record = {
        "key": plan_key(info.key),
        "name": f"{'Half-yearly' if half else 'Yearly'} service {info.key}",
        "asset": info.key,
        "every": every.days,
        "unit": "days",
        "start_on": start_on.isoformat(),
        "lead_days": LEAD.days,
        "steps": STEPS[info.kind.name],
        "grace_days": GRACE_DAYS,
        "priority": "suggestion",
        # Made when the contract's first service was planned; stopped when no contract runs.
        "created_at": iso(first - timedelta(days=30)),
        "active": covered_at_end,
    }
    return dues, plan
