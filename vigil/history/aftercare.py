"""What happened around and after each work order of a history: dispatches, stock movements,
articles used on site, follow-up calls, surveys and what their scores decided.

Bulk inserts, like ``vigil.history.orders``, of the rows the field, follow-up and knowledge
services write: a survey's score and outcome come from ``followup.surveys.scoring`` (the same
exact arithmetic), every score below 3 is escalated to the service manager, stock levels are the
sum of the ledger (``field.stock.queries.reconcile`` finds nothing to correct), and a follow-up
task after a repair has the due key the follow-up generator would give it, so that the
scheduler does not make it a second time.
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.models import Dispatch
from field.stock.models import StockLevel, StockMove
from field.visits.models import Visit
from followup.surveys import scoring
from followup.surveys.models import (
    Escalation,
    FollowUpContact,
    FollowUpTask,
    PreferredCustomer,
    Survey,
    TaskKind,
)
from followup.surveys.outcomes import RESPOND_WITHIN
from followup.surveys.service import token_hash
from knowledge.models import ArticleUse, UseKind
from simulators.history import read
from simulators.history.timing import parse
from vigil.history import bulk
from vigil.history.organisation import ACTOR, Keys
from workorders.models import WorkOrder

SERVICE_MANAGER = "service manager"
# Who an answer's outcome goes to, as ``followup.surveys.outcomes.SurveyPolicy`` names them.
PERSON = {scoring.Outcome.FOLLOW_UP: "customer care", scoring.Outcome.REVIEW: SERVICE_MANAGER}
TASK_OF = {
    scoring.Outcome.FOLLOW_UP: TaskKind.SURVEY_CALL,
    scoring.Outcome.REVIEW: TaskKind.SURVEY_REVIEW,
}


def insert_dispatches(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    rows = []
    for w in records:
        for n, d in enumerate(w["dispatches"]):
            rows.append({
                "work_order_id": ids[w["key"]], "engineer_id": keys.engineers[d["engineer"]],
                "at": parse(d["at"]), "actor": "vigil" if d["mode"] == "auto" else "dispatcher",
                "mode": d["mode"], "score": None, "parts": [],
                "reason": f"{d['engineer']}: skilled for {w['asset'].rsplit('-', 1)[0]}, "
                          "in the site's region (imported history)",
                "active": n == len(w["dispatches"]) - 1,
            })  # fmt: skip
    bulk.insert(session, Dispatch, rows)
    return len(rows)


def insert_visits(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """The engineers' stays on site, checked in and out at the site's position."""
    rows = []
    for w in records:
        site = keys.site_records[w["site"]]
        for v in w["visits_on_site"]:
            out = parse(v["check_out"]) if v["check_out"] else None
            rows.append({
                "work_order_id": ids[w["key"]], "engineer_id": keys.engineers[v["engineer"]],
                "actor": v["engineer"], "checked_in_at": parse(v["check_in"]),
                "in_latitude": site["latitude"], "in_longitude": site["longitude"],
                "in_accuracy_m": 15.0, "checked_out_at": out,
                "out_latitude": site["latitude"] if out else None,
                "out_longitude": site["longitude"] if out else None,
                "out_accuracy_m": 15.0 if out else None,
            })  # fmt: skip
    bulk.insert(session, Visit, rows)
    return len(rows)


def insert_stock(
    *,
    session: Session,
    directory: Path,
    records: list[dict[str, Any]],
    keys: Keys,
    ids: dict[str, uuid.UUID],
) -> int:
    """The ledger (receipts and consumption), and levels that are its sums."""
    moves = [
        {"at": parse(m["at"]), "kind": m["kind"], "part_id": keys.parts[m["part"]],
         "warehouse_id": keys.warehouses[m["warehouse"]], "quantity": m["quantity"],
         "work_order_id": None, "asset_id": None, "actor": ACTOR, "note": m["note"]}
        for m in read(directory, "stock")
    ]  # fmt: skip
    for w in records:
        for p in w["parts"]:
            moves.append({
                "at": parse(p["at"]), "kind": "consume", "part_id": keys.parts[p["part"]],
                "warehouse_id": keys.warehouses[p["warehouse"]], "quantity": p["quantity"],
                "work_order_id": ids[w["key"]], "asset_id": keys.assets[w["asset"]].id,
                "actor": p["engineer"], "note": None,
            })  # fmt: skip
    moves.sort(key=lambda m: (m["at"], m["kind"] != "receipt"))
    levels: dict[tuple[int, int], int] = defaultdict(int)
    for m in moves:
        key = (m["warehouse_id"], m["part_id"])
        levels[key] += m["quantity"] if m["kind"] == "receipt" else -m["quantity"]
        if levels[key] < 0:
            raise ValueError(f"the history takes part {m['part_id']} below zero on {m['at']}")
    bulk.insert(session, StockMove, moves)
    existing = {
        (wh, part): (on_hand, reserved)
        for wh, part, on_hand, reserved in session.execute(
            sa.select(StockLevel.warehouse_id, StockLevel.part_id, StockLevel.on_hand,
                      StockLevel.reserved)
        )
    }  # fmt: skip
    new = [
        {"warehouse_id": wh, "part_id": part, "on_hand": n, "reserved": 0, "min_level": 2}
        for (wh, part), n in levels.items()
        if (wh, part) not in existing
    ]
    bulk.insert(session, StockLevel, new)
    for (wh, part), n in levels.items():
        if (wh, part) in existing:
            session.execute(
                sa.update(StockLevel)
                .where(StockLevel.warehouse_id == wh, StockLevel.part_id == part)
                .values(on_hand=StockLevel.on_hand + n)
            )
    return len(moves)


def insert_kb_uses(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    rows = [
        {"article_id": keys.articles[u["article"]], "work_order_id": ids[w["key"]],
         "actor": u["engineer"], "kind": UseKind.APPLIED.value, "at": parse(u["at"])}
        for w in records
        for u in w["kb_uses"]
    ]  # fmt: skip
    bulk.insert(session, ArticleUse, rows)
    return len(rows)


def insert_follow_ups(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """After-repair follow-up tasks, and the call that closed each one done."""
    rows, calls = [], []
    for w in records:
        asset = keys.assets[w["asset"]]
        wo_id = ids[w["key"]]
        for t in w["follow_ups"]:
            resolved = parse(t["due_key"])
            due_key = f"{wo_id.hex[:16]}@{resolved:%Y%m%dT%H%M%S}"
            rows.append({
                "kind": TaskKind.AFTER_REPAIR.value, "asset_id": asset.id,
                "customer_id": asset.customer_id, "work_order_id": wo_id, "contract_id": None,
                "survey_id": None, "due_key": due_key, "due_at": parse(t["due_at"]),
                "title": f"Call {keys.customer_names[asset.customer_id]} about the repair of "
                         f"{asset.asset} ({w['fault_title']})"[:300],
                "assignee": t["assignee"], "status": t["status"],
                "created_at": parse(t["created_at"]), "created_by": ACTOR,
                "reminded_at": None, "overdue_at": None,
                "done_at": parse(t["done_at"]) if t["done_at"] else None,
            })  # fmt: skip
            if t["done_at"]:
                calls.append((due_key, asset.id, t))
    bulk.insert(session, FollowUpTask, rows)
    task_ids = {
        (kind_key, asset_id): task_id
        for task_id, kind_key, asset_id in session.execute(
            sa.select(FollowUpTask.id, FollowUpTask.due_key, FollowUpTask.asset_id).where(
                FollowUpTask.created_by == ACTOR
            )
        )
    }
    contacts = [
        {"task_id": task_ids[due_key, asset_id], "at": parse(t["done_at"]),
         "channel": t["channel"], "made_by": t["assignee"], "contact_id": None,
         "spoke_with": "site contact", "summary": "Customer confirms the equipment runs normally.",
         "recorded_at": parse(t["done_at"]), "recorded_by": t["assignee"]}
        for due_key, asset_id, t in calls
    ]  # fmt: skip
    bulk.insert(session, FollowUpContact, contacts)
    return len(rows)


def insert_surveys(
    *, session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """Surveys with their answers, weighted scores and outcomes; escalations of poor ones and
    the preferred-customer list from each customer's latest answer."""
    rows = []
    questions = dict(scoring.QUESTIONS) | {"recommend": scoring.RECOMMEND}
    for w in records:
        asset = keys.assets[w["asset"]]
        contact = next(iter(keys.contacts[asset.customer_id].values()), None)
        for s in w["surveys"]:
            answers = {name: s[name] for name in scoring.WEIGHTS}
            score = scoring.weighted_score(answers, scoring.WEIGHTS)
            outcome = scoring.outcome_of(score)
            rows.append({
                "customer_id": asset.customer_id, "asset_id": asset.id,
                "work_order_id": ids[w["key"]], "task_id": None, "contact_id": contact,
                "token_hash": token_hash(secrets.token_urlsafe(32)),
                "sent_at": parse(s["sent_at"]), "sent_by": ACTOR,
                "expires_at": parse(s["expires_at"]), "weights": dict(scoring.WEIGHTS),
                "questions": questions,
                "answered_at": parse(s["answered_at"]) if s["answered_at"] else None,
                **answers, "recommend": s["recommend"], "comment": s["comment"],
                "score": round(float(score), 3) if score is not None else None,
                "outcome": outcome.value if outcome else None,
                "follow_up_person": PERSON.get(outcome) if outcome else None,
                "second_visit_id": None,
            })  # fmt: skip
    bulk.insert(session, Survey, rows)
    answered: list[tuple[int, int, datetime, float, str]] = [
        (row.id, row.customer_id, row.answered_at, row.score, row.outcome)
        for row in session.execute(
            sa.select(Survey.id, Survey.customer_id, Survey.answered_at, Survey.score,
                      Survey.outcome)
            .where(Survey.sent_by == ACTOR, Survey.answered_at.is_not(None))
            .order_by(Survey.answered_at, Survey.id)
        )
    ]  # fmt: skip
    escalations = [
        {"survey_id": sid, "recipient": SERVICE_MANAGER, "at": at,
         "reason": f"survey scored {points:.2f} (below 3)",
         "acknowledged_at": at + timedelta(days=1), "acknowledged_by": SERVICE_MANAGER,
         "next_attempt_at": at, "attempts": 1, "mailed_at": at, "mailed_to": [SERVICE_MANAGER],
         "last_error": None}
        for sid, _c, at, points, outcome in answered
        if outcome == scoring.Outcome.REVIEW.value
    ]  # fmt: skip
    bulk.insert(session, Escalation, escalations)
    _survey_tasks(session, records, keys, ids)
    latest: dict[int, tuple[int, datetime, float]] = {}
    for sid, customer_id, at, points, _outcome in answered:
        latest[customer_id] = (sid, at, points)
    listed = set(session.scalars(sa.select(PreferredCustomer.customer_id)))
    preferred = [
        {"customer_id": c, "since": at, "survey_id": sid, "score": points}
        for c, (sid, at, points) in latest.items()
        if points >= 4 and c not in listed
    ]
    bulk.insert(session, PreferredCustomer, preferred)
    return len(rows)


def _survey_tasks(
    session: Session, records: list[dict[str, Any]], keys: Keys, ids: dict[str, uuid.UUID]
) -> int:
    """The task each answer below 4 made (``followup.surveys.outcomes.apply``): a call by
    customer care for 3 up to 4, a review by the service manager below 3, due a day after the
    answer, done when the history says the call was made (with the contact it recorded)."""
    number = dict(session.execute(sa.select(WorkOrder.id, WorkOrder.number)).all())
    # The surveys were inserted in the order of the records: their ids follow it.
    inserted = iter(
        session.execute(
            sa.select(Survey.id, Survey.score, Survey.outcome)
            .where(Survey.sent_by == ACTOR)
            .order_by(Survey.id)
        )
    )
    rows, calls = [], []
    for w in records:
        asset = keys.assets[w["asset"]]
        wo_id = ids[w["key"]]
        for s in w["surveys"]:
            sid, score, outcome = next(inserted)
            if outcome is None or outcome not in TASK_OF:
                continue
            at = parse(s["answered_at"])
            done = (s.get("callback") or {}).get("done_at")
            about = f"survey {sid} scored {score:g} about {number[wo_id]}"
            rows.append({
                "kind": TASK_OF[outcome].value, "asset_id": asset.id,
                "customer_id": asset.customer_id, "work_order_id": wo_id, "contract_id": None,
                "survey_id": sid, "due_key": f"survey:{sid}", "due_at": at + RESPOND_WITHIN,
                "title": (f"Call the customer: {about}" if outcome is scoring.Outcome.FOLLOW_UP
                          else f"Review: {about} (below 3)")[:300],
                "assignee": PERSON[outcome], "status": "done" if done else "open",
                "created_at": at, "created_by": ACTOR, "reminded_at": None, "overdue_at": None,
                "done_at": parse(done) if done else None,
            })  # fmt: skip
            if done:
                calls.append((f"survey:{sid}", asset.id, parse(done), PERSON[outcome]))
    bulk.insert(session, FollowUpTask, rows)
    task_ids = dict(
        session.execute(
            sa.select(FollowUpTask.due_key, FollowUpTask.id).where(
                FollowUpTask.created_by == ACTOR, FollowUpTask.survey_id.is_not(None)
            )
        ).all()
    )
    bulk.insert(session, FollowUpContact, [
        {"task_id": task_ids[key], "at": at, "channel": "phone", "made_by": person,
         "contact_id": None, "spoke_with": "site contact",
         "summary": "Talked the answer through with the customer.", "recorded_at": at,
         "recorded_by": person}
        for key, _asset, at, person in calls
    ])  # fmt: skip
    return len(rows)
