"""Work orders from the models' detections: open, deduplicate, reopen as a repeat repair, and
escalate as a firing alert gets worse. Each detection is also recorded as a request of the
``alert`` channel, like a call to the hotline would be.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customers import contracts
from customers.contracts import Cover
from models.base import Decision
from workorders import priority as prio
from workorders.assets import ensure_asset
from workorders.catalog import fault_info, is_data_quality
from workorders.counters import lock_changes
from workorders.intake import (
    REPEAT_WINDOW,
    REQUESTED,
    SYSTEM,
    insert_work_order,
    raised_priority,
    reopen_changes,
    with_channel,
)
from workorders.models import (
    FINISHED,
    Asset,
    Kind,
    Priority,
    Status,
    WorkOrder,
)
from workorders.requests.log import Received, record_request
from workorders.requests.models import Channel, Outcome
from workorders.service import apply_change, get_work_order

S = Status


@dataclass(frozen=True, slots=True)
class Opened:
    """What ``open_for_alert`` did. ``action`` is recorded on the alert as the reason."""

    work_order: WorkOrder
    action: Literal["created", "updated", "deduplicated", "reopened"]
    changes: dict[str, Any] = field(default_factory=dict)


def open_for_alert(*, session: Session, decision: Decision, now: datetime) -> Opened:
    """Open, update or reopen the one work order of the decision's asset and fault.

    - an open work order exists: deduplicated (its priority escalates if this detection is worse);
    - it is resolved, or closed less than 30 days ago: reopened as a repeat repair;
    - otherwise a new work order with the next number of the year.

    Each call is also recorded as a request of the ``alert`` channel on that work order, like a
    call to the hotline would be.
    """
    asset = ensure_asset(
        session=session,
        site=decision.site,
        asset=decision.asset,
        asset_type=decision.asset_type,
        now=now,
    )
    wanted, reasons = prio.classify_explained(
        fault_code=decision.fault_code,
        score=decision.score,
        threshold=decision.threshold,
        criticality=asset.criticality,
        predicted_failure_at=decision.predicted_failure_at,
        now=now,
    )
    cover = contracts.cover(session=session, asset=asset, on=now.date())
    opened = _open_for_alert(
        session=session,
        asset=asset,
        decision=decision,
        wanted=wanted,
        reasons=reasons,
        cover=cover,
        now=now,
    )
    record_request(
        session=session,
        received=Received(
            channel=Channel.ALERT,
            category=None,
            description=f"{fault_info(decision.fault_code).title}: {decision.detector} score "
            f"{decision.score:.2f} over threshold {decision.threshold:.2f}",
            problem=decision.fault_code,
        ),
        asset=asset,
        work_order=opened.work_order,
        outcome=_OUTCOME[opened.action],
        priority=wanted,
        reasons=reasons,
        cover=cover,
        actor=SYSTEM,
        now=now,
    )
    return opened


_OUTCOME = {
    "created": Outcome.CREATED,
    "reopened": Outcome.REOPENED,
    "updated": Outcome.ATTACHED,
    "deduplicated": Outcome.ATTACHED,
}


def _open_for_alert(
    *,
    session: Session,
    asset: Asset,
    decision: Decision,
    wanted: Priority,
    reasons: list[str],
    cover: Cover,
    now: datetime,
) -> Opened:
    lock_changes(session=session)
    by_fault = sa.select(WorkOrder).where(
        WorkOrder.asset_id == asset.id, WorkOrder.fault_code == decision.fault_code
    )
    active = session.scalars(
        by_fault.where(WorkOrder.status.not_in(FINISHED)).with_for_update()
    ).first()
    if active is not None and active.status is not S.RESOLVED:
        return _escalate(session=session, wo=active, decision=decision, wanted=wanted, now=now)
    if active is None:
        active = session.scalars(
            by_fault.where(
                WorkOrder.status == S.CLOSED, WorkOrder.closed_at >= now - REPEAT_WINDOW
            ).order_by(WorkOrder.closed_at.desc())
        ).first()
    if active is not None:
        raised = prio.higher(wanted, active.priority)
        changes = reopen_changes(session=session, wo=active, now=now, priority=raised) | _detection(
            decision, now
        )
        changes["priority"] = raised
        changes |= with_channel(active, Channel.ALERT)
        apply_change(
            session=session,
            wo=active,
            now=now,
            actor=SYSTEM,
            action="repeat repair: fault detected again",
            event="work_order.reopened",
            **changes,
        )
        return Opened(active, "reopened")
    info = fault_info(decision.fault_code)
    try:
        with session.begin_nested():
            wo = insert_work_order(
                session=session,
                asset=asset,
                priority=wanted,
                now=now,
                actor=SYSTEM,
                kind=Kind.DATA_QUALITY if is_data_quality(decision.fault_code) else Kind.EQUIPMENT,
                fault_code=decision.fault_code,
                fault_title=info.title,
                suggested_actions=list(info.actions),
                suggested_parts=list(info.parts),
                channel=Channel.ALERT.value,
                channels=[Channel.ALERT.value],
                classification=reasons,
                billable=cover.billable,
                billable_reason=cover.reason,
                **_detection(decision, now),
            )
    except IntegrityError:
        # A concurrent transaction opened it first (the one-open-per-fault index said so).
        return _open_for_alert(
            session=session,
            asset=asset,
            decision=decision,
            wanted=wanted,
            reasons=reasons,
            cover=cover,
            now=now,
        )
    return Opened(wo, "created")


def _detection(decision: Decision, now: datetime) -> dict[str, Any]:
    return {
        "detector": decision.detector,
        "model_version": decision.model_version,
        "score": decision.score,
        "threshold": decision.threshold,
        "top_metrics": dict(decision.contributions),
        "detected_at": decision.at,
        "predicted_failure_at": decision.predicted_failure_at,
        "predicted_failure_low": decision.predicted_failure_low,
        "predicted_failure_high": decision.predicted_failure_high,
        "predicted_failure_source": decision.rul_source,
    }


def escalate(
    *, session: Session, work_order_id: uuid.UUID, decision: Decision, now: datetime
) -> Opened | None:
    """A further detection of a firing alert: raise the priority if it got worse, else nothing."""
    lock_changes(session=session)
    wo = get_work_order(session=session, ref=work_order_id)
    if wo.status.value in FINISHED or wo.status is S.RESOLVED:
        return None
    wanted = prio.classify(
        fault_code=decision.fault_code,
        score=decision.score,
        threshold=decision.threshold,
        criticality=wo.asset.criticality,
        predicted_failure_at=decision.predicted_failure_at,
        now=now,
    )
    opened = _escalate(session=session, wo=wo, decision=decision, wanted=wanted, now=now)
    return opened if opened.action == "updated" else None


def _escalate(
    *, session: Session, wo: WorkOrder, decision: Decision, wanted: Priority, now: datetime
) -> Opened:
    """A new detection for an open work order: escalate priority and deadlines, never lower them."""
    if prio.higher(wanted, wo.priority) is wo.priority:
        seen = with_channel(wo, Channel.ALERT)
        if wo.detector == REQUESTED:
            # Requested work that telemetry now confirms: the detection tells the engineer more.
            seen |= _detection(decision, now)
        if seen:
            apply_change(
                session=session,
                wo=wo,
                now=now,
                actor=SYSTEM,
                action="alert on the same problem attached",
                event="work_order.updated",
                **seen,
            )
        return Opened(wo, "deduplicated")
    changes = (
        _detection(decision, now)
        | with_channel(wo, Channel.ALERT)
        | raised_priority(session=session, wo=wo, wanted=wanted, now=now)
    )
    apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=SYSTEM,
        action=f"escalated to {wanted.value}",
        event="work_order.updated",
        **changes,
    )
    return Opened(wo, "updated")
