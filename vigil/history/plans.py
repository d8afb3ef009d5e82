"""The preventive plans of a history and the occurrence behind each preventive work order.

Rows as ``planning`` writes them: one calendar plan per asset (its due dates ``start_on`` plus
whole intervals, as ``planning.schedule`` counts them), and one occurrence per due date that
opened work, keyed by the site-local due date. The occurrence's status follows its work order
as ``planning.scheduled`` would have set it: done when resolved or closed (``done_at`` = when it
was resolved), missed when cancelled, cancelled when its plan was stopped while it was open,
else open. No progress rows: the scheduler makes them on its first run and, counting from
``start_on``, finds the due dates with work already there (the unique due key).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from planning.models import (
    Anchor,
    MaintenancePlan,
    Occurrence,
    OccurrenceStatus,
    Outcome,
    Trigger,
    Unit,
)
from simulators.history import read
from simulators.history.timing import parse
from vigil.history import bulk
from vigil.history.organisation import ACTOR, Keys
from workorders.models import Priority

DONE = ("resolved", "closed")


def insert_plans(
    *,
    session: Session,
    directory: Path,
    records: list[dict[str, Any]],
    keys: Keys,
    ids: dict[str, uuid.UUID],
) -> int:
    """The plans, then the occurrences of the preventive work orders; returns the occurrences."""
    plans = read(directory, "plans")
    bulk.insert(session, MaintenancePlan, [_plan(p, keys) for p in plans])
    by_name = dict(
        session.execute(
            sa.select(MaintenancePlan.name, MaintenancePlan.id).where(
                MaintenancePlan.created_by == ACTOR
            )
        ).all()
    )
    plan_ids = {p["key"]: by_name[p["name"]] for p in plans}
    active = {p["key"]: p["active"] for p in plans}
    steps = {p["key"]: p["steps"] for p in plans}
    rows = [
        _occurrence(w, keys, ids, plan_ids, active, steps)
        for w in records
        if w.get("plan") is not None
    ]
    bulk.insert(session, Occurrence, rows)
    return len(rows)


def _plan(p: dict[str, Any], keys: Keys) -> dict[str, Any]:
    created = parse(p["created_at"])
    return {
        "name": p["name"], "description": "Imported with the service history",
        "asset_id": keys.assets[p["asset"]].id, "asset_type": None,
        "trigger": Trigger.CALENDAR.value, "every": p["every"], "unit": Unit(p["unit"]).value,
        "anchor": Anchor.FIXED.value, "start_on": date.fromisoformat(p["start_on"]),
        "lead_days": p["lead_days"], "interval_hours": None, "lead_hours": None,
        "first_due_hours": None, "metric": None, "direction": None, "level": None,
        "clear_level": None, "for_readings": None, "article_ids": [], "steps": p["steps"],
        "priority": Priority(p["priority"]).value, "grace_days": p["grace_days"],
        "active": p["active"], "created_at": created, "created_by": ACTOR, "updated_at": created,
    }  # fmt: skip


def _occurrence(
    w: dict[str, Any],
    keys: Keys,
    ids: dict[str, uuid.UUID],
    plan_ids: dict[str, int],
    active: dict[str, bool],
    steps: dict[str, list[str]],
) -> dict[str, Any]:
    due = w["plan"]
    resolved: datetime | None = parse(w["resolved_at"]) if w["resolved_at"] else None
    if w["status"] in DONE and resolved is not None:
        status = OccurrenceStatus.DONE
    elif w["status"] == "cancelled":
        status = OccurrenceStatus.MISSED
    elif not active[due["plan"]]:
        status = OccurrenceStatus.CANCELLED
    else:
        status = OccurrenceStatus.OPEN
    return {
        "plan_id": plan_ids[due["plan"]], "asset_id": keys.assets[w["asset"]].id,
        "due_key": due["due_key"], "due_at": parse(due["due_at"]),
        "due_hours": None, "generated_at": parse(w["created_at"]),
        "outcome": Outcome.CREATED.value,
        "reason": f"due {due['due_key']}; opened {w['key']} (imported history)",
        "work_order_id": ids[w["key"]], "checklist": steps[due["plan"]],
        "status": status.value, "done_at": resolved if status is OccurrenceStatus.DONE else None,
        "done_hours": None,
    }  # fmt: skip
