"""Verification of a repair: the telemetry after a resolution says whether the repair held.

A resolved work order is judged when its verification period ends. It closes as verified only
if no alert of its asset and fault fired in the period or is still firing, and the asset's
scores stayed under their thresholds once the detectors had had time to see the repaired
equipment (``settle``: a trend detector remembers the wear for hours after a bearing is
replaced). Otherwise it is reopened as a repeat repair, with the evidence stored. Without
scored telemetry there is no judge: the verdict says so and the work order stays resolved for
a person to decide.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.models import Alert, AlertState, AlertTransition
from followup.health import Health, HealthReader
from followup.models import Outcome, RepairVerification
from workorders import service as workorders
from workorders.models import Status, WorkOrder

VERIFIER = "vigil (follow-up verification)"


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    # How long Vigil watches the asset after the resolution (until plans carry their own).
    period: timedelta = workorders.FOLLOW_UP
    # Scores in this first part of the period are not held against the repair.
    settle: timedelta = timedelta(days=1)
    # Share of scored windows at or over threshold (after settling) a healthy asset may have:
    # a lone noisy window is not a failed repair (the alerts too need several in a row).
    max_abnormal_share: float = 0.02

    def __post_init__(self) -> None:
        if self.period <= timedelta(0) or self.settle < timedelta(0):
            raise ValueError("the verification period must be positive and settle not negative")
        if self.settle >= self.period:
            raise ValueError("settle must be shorter than the verification period")
        if not 0 <= self.max_abnormal_share < 1:
            raise ValueError("max_abnormal_share must be in [0, 1)")


def alert_evidence(*, session: Session, wo: WorkOrder, since: datetime) -> list[dict[str, Any]]:
    """Alerts of the work order's asset and fault that are firing now or fired since ``since``."""
    fired_since = (
        sa.select(AlertTransition.alert_id)
        .where(AlertTransition.to_state == AlertState.FIRING, AlertTransition.at >= since)
        .where(AlertTransition.from_state != AlertState.FIRING)
    )
    alerts = session.scalars(
        sa.select(Alert)
        .where(
            Alert.site == wo.asset.site,
            Alert.asset == wo.asset.asset,
            Alert.fault_code == wo.fault_code,
            sa.or_(Alert.state == AlertState.FIRING, Alert.id.in_(fired_since)),
        )
        .order_by(Alert.started_at)
    ).all()
    return [
        {
            "id": str(a.id),
            "fault_code": a.fault_code,
            "state": a.state.value,
            "firing_at": a.firing_at.isoformat() if a.firing_at else None,
            "fired_since_resolution": a.firing_at is not None and a.firing_at >= since,
            "peak_score": a.peak_score,
            "last_score": a.last_score,
            "threshold": a.threshold,
            "detector": a.detector,
        }
        for a in alerts
    ]


def _healthy(health: Health, policy: VerificationPolicy) -> bool:
    return health.abnormal_windows <= policy.max_abnormal_share * health.windows


def verify(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    health: HealthReader,
    policy: VerificationPolicy,
    now: datetime,
) -> RepairVerification | None:
    """Judge one resolved work order whose period has ended; None when it is not due or was
    already judged for this resolution (a no-telemetry verdict is not repeated)."""
    wo = workorders.get_work_order(session=session, ref=work_order_id)
    if wo.status is not Status.RESOLVED or wo.resolved_at is None:
        return None
    resolved_at, period_end = wo.resolved_at, wo.resolved_at + policy.period
    if period_end > now:
        return None
    judged = session.scalars(
        sa.select(RepairVerification).where(
            RepairVerification.work_order_id == wo.id,
            RepairVerification.resolved_at == resolved_at,
        )
    ).first()
    if judged is not None:
        return None
    alerts = alert_evidence(session=session, wo=wo, since=resolved_at)
    seen = health(wo.asset.site, wo.asset.asset, resolved_at + policy.settle, period_end)
    if alerts or (seen.windows and not _healthy(seen, policy)):
        outcome = Outcome.REPEAT_REPAIR
    elif not seen.windows:
        outcome = Outcome.NO_TELEMETRY
    elif wo.resolution_code is None:
        return None  # held, but closing needs a resolution code and a person must give it
    else:
        outcome = Outcome.VERIFIED
    verdict = RepairVerification(
        work_order_id=wo.id,
        resolved_at=resolved_at,
        period_end=period_end,
        decided_at=now,
        outcome=outcome,
        evidence={"alerts": alerts, "health": seen.as_evidence()},
    )
    session.add(verdict)
    if outcome is not Outcome.NO_TELEMETRY:
        workorders.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.CLOSED if outcome is Outcome.VERIFIED else Status.REOPENED,
            expected_version=wo.version,
            actor=VERIFIER,
            now=now,
            note="verified" if outcome is Outcome.VERIFIED else "repeat repair",
        )
    session.flush()
    return verdict


def align_periods(*, session: Session, policy: VerificationPolicy, now: datetime) -> int:
    """Make each resolved work order's ``follow_up_until`` (the document's ``verify_until``) say
    when this policy will judge it: resolving stamps the workorders default, which a setting or
    plan may change. Returns how many were moved."""
    moved = 0
    for wo in session.scalars(sa.select(WorkOrder).where(WorkOrder.status == Status.RESOLVED)):
        until = wo.resolved_at + policy.period if wo.resolved_at is not None else None
        if until is not None and wo.follow_up_until != until:
            workorders.apply_change(
                session=session,
                wo=wo,
                now=now,
                actor=VERIFIER,
                action="verification period",
                event="work_order.updated",
                follow_up_until=until,
            )
            moved += 1
    return moved


def due(*, session: Session, policy: VerificationPolicy, now: datetime) -> list[uuid.UUID]:
    """Resolved work orders whose verification period has ended, oldest first."""
    query = (
        sa.select(WorkOrder.id)
        .where(WorkOrder.status == Status.RESOLVED, WorkOrder.resolved_at <= now - policy.period)
        .order_by(WorkOrder.resolved_at)
        .limit(500)
    )
    return list(session.scalars(query))


def verifications(*, session: Session, work_order_id: uuid.UUID) -> list[RepairVerification]:
    query = (
        sa.select(RepairVerification)
        .where(RepairVerification.work_order_id == work_order_id)
        .order_by(RepairVerification.decided_at)
    )
    return list(session.scalars(query))
