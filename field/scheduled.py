"""Automatic dispatch: work whose SLA plan says so is sent to the nearest qualified engineer.

A scheduled job (``vigil serve``) looks at open work orders nobody was sent to yet; for each one
whose rule applies it takes the qualified engineer with the shortest travel (ties: the higher
score, then the lower id) and dispatches them, recorded as an automatic dispatch with the rule
and the choice as its reason. Each work order is its own transaction: a race lost to a
dispatcher (the engineer filled up meanwhile) only waits for the next run.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from field import flows
from field.dispatch import Ranking, Suggestion
from field.models import Dispatch, DispatchMode
from field.service import holds
from workorders.db import in_transaction
from workorders.errors import Conflict
from workorders.models import Priority, Status, WorkOrder
from workorders.sla import plans
from workorders.sla import service as sla

log = logging.getLogger(__name__)
ACTOR = "vigil (auto-dispatch)"
_WAITING = (Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED)


@dataclass(frozen=True, slots=True)
class AutoRule:
    """Work is confirmed and sent within ``within`` of its creation (or reopening)."""

    within: timedelta
    send: Literal["nearest_qualified"] = "nearest_qualified"


# The rule that applies to a work order (None: dispatch by hand).
RuleFor = Callable[[Session, WorkOrder], AutoRule | None]


def for_priorities(rules: dict[Priority, AutoRule]) -> RuleFor:
    """One rule per priority for every work order, whatever its plan."""

    def rule_for(session: Session, wo: WorkOrder) -> AutoRule | None:
        return rules.get(wo.priority)

    return rule_for


def plan_rules(*, urgent_fallback: AutoRule | None) -> RuleFor:
    """Auto-dispatch as the work order's SLA plan says ("urgent: confirmed within 30 minutes and
    sent to the nearest qualified engineer"); urgent work under a plan without a rule for it gets
    ``urgent_fallback`` (``VIGIL_AUTO_DISPATCH_URGENT_MIN``; None: by hand)."""

    def rule_for(session: Session, wo: WorkOrder) -> AutoRule | None:
        plan = sla.plan_of(session=session, wo=wo)
        rule = plans.auto_dispatch_rule(plan=plan, priority=wo.priority)
        if rule is not None:
            return AutoRule(within=timedelta(minutes=rule.confirm_within_min))
        return urgent_fallback if wo.priority is Priority.URGENT else None

    return rule_for


@dataclass(frozen=True, slots=True)
class AutoOutcome:
    number: str
    action: Literal["dispatched", "no_candidate", "conflict"]
    engineer_id: int | None = None
    late_by: timedelta | None = None
    detail: str = ""


def nearest(ranking: Ranking) -> Suggestion | None:
    """The qualified engineer with the shortest travel; unknown travel last."""
    return min(
        ranking.suggestions,
        key=lambda s: (s.travel is None, s.travel or timedelta(0), -s.score, s.engineer_id),
        default=None,
    )


def _waiting(session: Session, limit: int) -> list[uuid.UUID]:
    sent = (
        sa.select(Dispatch.work_order_id)
        .join(WorkOrder, WorkOrder.id == Dispatch.work_order_id)
        .where(holds())
    )
    return list(
        session.scalars(
            sa.select(WorkOrder.id)
            .where(WorkOrder.status.in_(_WAITING), WorkOrder.id.not_in(sent))
            .order_by(WorkOrder.on_site_by, WorkOrder.number)
            .limit(limit)
        )
    )


def _one(
    session: Session,
    work_order_id: uuid.UUID,
    now: datetime,
    rule_for: RuleFor,
    scoring: flows.Scoring,
) -> AutoOutcome | None:
    wo = session.get(WorkOrder, work_order_id)
    if wo is None or wo.status not in _WAITING:
        return None
    rule = rule_for(session, wo)
    if rule is None:
        return None
    found = flows.suggest(session=session, work_order_id=wo.id, now=now, scoring=scoring)
    chosen = nearest(found.ranking)
    if chosen is None:
        return AutoOutcome(wo.number, "no_candidate", detail=found.ranking.no_candidate or "")
    due = (wo.reopened_at or wo.created_at) + rule.within
    late = now - due if now > due else None
    reason = (
        f"plan rule: {wo.priority.value} work sent to the nearest qualified engineer within "
        f"{int(rule.within.total_seconds() // 60)} min"
        + (f" (late by {int(late.total_seconds() // 60)} min)" if late else "")
        + f"; {chosen.name}: "
        + "; ".join(p.reason for p in chosen.parts)
    )
    flows.dispatch(
        session=session,
        work_order_id=wo.id,
        engineer_id=chosen.engineer_id,
        actor=ACTOR,
        now=now,
        reason=reason,
        mode=DispatchMode.AUTO,
        scoring=scoring,
    )
    return AutoOutcome(wo.number, "dispatched", chosen.engineer_id, late)


def auto_dispatch(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    rule_for: RuleFor,
    scoring: flows.Scoring | None = None,
    limit: int = 200,
) -> list[AutoOutcome]:
    """Dispatch every waiting work order whose rule says so; what was done, per work order."""
    scoring = scoring or flows.Scoring()
    with session_factory() as session:
        waiting = _waiting(session, limit)
    outcomes: list[AutoOutcome] = []
    for work_order_id in waiting:
        try:
            outcome = in_transaction(
                session_factory,
                functools.partial(
                    _one, work_order_id=work_order_id, now=now, rule_for=rule_for, scoring=scoring
                ),
            )
        except Conflict as error:
            outcome = AutoOutcome(str(work_order_id), "conflict", detail=str(error))
        if outcome is None:
            continue
        if outcome.action == "dispatched" and outcome.late_by:
            log.warning("auto-dispatch of %s late by %s", outcome.number, outcome.late_by)
        elif outcome.action != "dispatched":
            log.info("auto-dispatch of %s: %s (%s)", outcome.number, outcome.action, outcome.detail)
        outcomes.append(outcome)
    return outcomes
