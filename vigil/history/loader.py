"""Load a generated service history (``simulators.history``) into Vigil's database.

One function, session first; the caller owns the transaction (the command and the demo commit
once at the end, so a failed load leaves nothing behind). ``progress(step, done, total)`` is
called as each step finishes, for a progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict
from customers.models import Customer
from simulators.history import read, read_manifest
from vigil.history import aftercare, orders, plans
from vigil.history.organisation import (
    Keys,
    load_articles,
    load_assets,
    load_contracts,
    load_customers,
    load_field,
)

Progress = Callable[[str, int, int], None]
STEPS = (
    "customers and sites",
    "assets",
    "contracts and SLA plans",
    "engineers, parts and warehouses",
    "work orders and SLA clocks",
    "requests",
    "alerts",
    "dispatches",
    "visits on site",
    "knowledge base",
    "stock ledger",
    "follow-up calls",
    "surveys",
    "preventive plans",
)


@dataclass(slots=True)
class Loaded:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    start: datetime | None = None
    end: datetime | None = None

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values())


def load(
    *, session: Session, directory: Path, now: datetime, progress: Progress | None = None
) -> Loaded:
    """Insert the history in ``directory``; Conflict when its customers are there already."""
    manifest = read_manifest(directory)
    first = read(directory, "customers")[:1]
    if first and session.scalar(sa.select(Customer.id).where(Customer.name == first[0]["name"])):
        raise Conflict(f"customer {first[0]['name']!r} exists: this history is loaded already")
    loaded = Loaded(
        start=datetime.fromisoformat(manifest["start"]), end=datetime.fromisoformat(manifest["end"])
    )
    keys = Keys()
    records = read(directory, "work_orders")
    ids: dict[str, object] = {}
    done = 0

    def step(name: str, count: int, started: float) -> None:
        nonlocal done
        done += 1
        loaded.counts[name] = count
        loaded.seconds[name] = time.perf_counter() - started
        if progress is not None:
            progress(name, done, len(STEPS))

    t = time.perf_counter()
    load_customers(session=session, directory=directory, keys=keys)
    step(STEPS[0], len(keys.customers), t)
    t = time.perf_counter()
    load_assets(session=session, directory=directory, keys=keys, now=now)
    step(STEPS[1], len(keys.assets), t)
    t = time.perf_counter()
    load_contracts(session=session, directory=directory, keys=keys, now=now)
    step(STEPS[2], len(keys.contracts), t)
    t = time.perf_counter()
    load_field(session=session, directory=directory, keys=keys)
    step(STEPS[3], len(keys.engineers), t)
    t = time.perf_counter()
    wo_ids = orders.insert_work_orders(session=session, records=records, keys=keys, now=now)
    ids.update(wo_ids)
    step(STEPS[4], len(wo_ids), t)
    t = time.perf_counter()
    step(
        STEPS[5], orders.insert_requests(session=session, records=records, keys=keys, ids=wo_ids), t
    )
    t = time.perf_counter()
    step(STEPS[6], orders.insert_alerts(session=session, records=records, keys=keys, ids=wo_ids), t)
    t = time.perf_counter()
    step(
        STEPS[7],
        aftercare.insert_dispatches(session=session, records=records, keys=keys, ids=wo_ids),
        t,
    )
    t = time.perf_counter()
    step(
        "visits on site",
        aftercare.insert_visits(session=session, records=records, keys=keys, ids=wo_ids),
        t,
    )
    t = time.perf_counter()
    load_articles(session=session, directory=directory, keys=keys, source=wo_ids)
    aftercare.insert_kb_uses(session=session, records=records, keys=keys, ids=wo_ids)
    step("knowledge base", len(keys.articles), t)
    t = time.perf_counter()
    moves = aftercare.insert_stock(
        session=session, directory=directory, records=records, keys=keys, ids=wo_ids
    )
    step("stock ledger", moves, t)
    t = time.perf_counter()
    step(
        "follow-up calls",
        aftercare.insert_follow_ups(session=session, records=records, keys=keys, ids=wo_ids),
        t,
    )
    t = time.perf_counter()
    step(
        "surveys",
        aftercare.insert_surveys(session=session, records=records, keys=keys, ids=wo_ids),
        t,
    )
    t = time.perf_counter()
    step(
        "preventive plans",
        plans.insert_plans(
            session=session, directory=directory, records=records, keys=keys, ids=wo_ids
        ),
        t,
    )
    session.flush()
    return loaded
