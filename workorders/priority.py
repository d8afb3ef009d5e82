"""Priority class of a work order and its SLA deadlines.

Priority follows from three things, in this order: the fault's severity, how soon the degradation
trend predicts a failure, and how critical the asset is. Data-quality problems are never more
than a suggestion: they say the data is wrong, not that the equipment is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from workorders.catalog import fault_info, is_data_quality
from workorders.models import Criticality, Priority, SlaPolicy, Tier

_ORDER = [Priority.SUGGESTION, Priority.NORMAL, Priority.URGENT]
URGENT_WITHIN = timedelta(hours=72)
NORMAL_WITHIN = timedelta(days=14)

# Seeded by the first migration; service managers edit them (set_sla_policy). Minutes.
DEFAULT_SLA: dict[tuple[Priority, Tier], tuple[int, int]] = {
    (Priority.URGENT, Tier.VIP): (60, 8 * 60),
    (Priority.URGENT, Tier.STANDARD): (2 * 60, 24 * 60),
    (Priority.URGENT, Tier.BASIC): (4 * 60, 48 * 60),
    (Priority.NORMAL, Tier.VIP): (4 * 60, 48 * 60),
    (Priority.NORMAL, Tier.STANDARD): (8 * 60, 72 * 60),
    (Priority.NORMAL, Tier.BASIC): (24 * 60, 120 * 60),
    (Priority.SUGGESTION, Tier.VIP): (24 * 60, 7 * 24 * 60),
    (Priority.SUGGESTION, Tier.STANDARD): (48 * 60, 14 * 24 * 60),
    (Priority.SUGGESTION, Tier.BASIC): (72 * 60, 30 * 24 * 60),
}


def classify(
    *,
    fault_code: str,
    score: float,
    threshold: float,
    criticality: Criticality,
    predicted_failure_at: datetime | None,
    now: datetime,
) -> Priority:
    """
    >>> from datetime import UTC, datetime, timedelta
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> args = dict(score=1.2, threshold=1.0, criticality=Criticality.MEDIUM, now=now)
    >>> classify(fault_code="mechanical", predicted_failure_at=None, **args).value
    'normal'
    >>> classify(fault_code="mechanical", predicted_failure_at=now + timedelta(hours=30), **args).value
    'urgent'
    >>> classify(fault_code="dq_stuck_sensor", predicted_failure_at=now, **args).value
    'suggestion'
    """
    return classify_explained(
        fault_code=fault_code,
        score=score,
        threshold=threshold,
        criticality=criticality,
        predicted_failure_at=predicted_failure_at,
        now=now,
    )[0]


def classify_explained(
    *,
    fault_code: str,
    score: float,
    threshold: float,
    criticality: Criticality,
    predicted_failure_at: datetime | None,
    now: datetime,
) -> tuple[Priority, list[str]]:
    """The priority of an alert's work and the reasons, one line per fact that counted.

    >>> from datetime import UTC, datetime
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> classify_explained(fault_code="mechanical", score=2.5, threshold=1.0,
    ...     criticality=Criticality.HIGH, predicted_failure_at=None, now=now)[1][-1]
    'asset criticality high: one level up -> urgent'
    """
    if is_data_quality(fault_code):
        return Priority.SUGGESTION, [
            f"data-quality fault {fault_code}: the data is wrong, not the equipment -> suggestion"
        ]
    severity = fault_info(fault_code).severity
    # Severity 3 starts at normal and a score far above the threshold makes it urgent.
    level = {3: 1, 2: 1, 1: 0}.get(severity, 1)
    reasons = [f"fault {fault_code} has severity {severity} -> {_ORDER[level].value}"]
    if severity == 3 and threshold > 0 and score >= 2 * threshold:
        level = 2
        reasons.append(
            f"score {score:.2f} is at least twice the threshold {threshold:.2f} -> urgent"
        )
    if predicted_failure_at is not None:
        remaining = predicted_failure_at - now
        hours = remaining.total_seconds() / 3600
        if remaining <= URGENT_WITHIN:
            level = 2
            reasons.append(f"failure predicted in {hours:.0f} h (within 72 h) -> urgent")
        elif remaining <= NORMAL_WITHIN:
            level = max(level, 1)
            reasons.append(
                f"failure predicted in {hours:.0f} h (within 14 days) -> at least normal"
            )
    if criticality is Criticality.HIGH:
        level += 1
        reasons.append(f"asset criticality high: one level up -> {_ORDER[min(level, 2)].value}")
    elif criticality is Criticality.LOW:
        level -= 1
        reasons.append(f"asset criticality low: one level down -> {_ORDER[max(level, 0)].value}")
    return _ORDER[max(0, min(level, 2))], reasons


def higher(a: Priority, b: Priority) -> Priority:
    return a if _ORDER.index(a) >= _ORDER.index(b) else b


def deadlines(
    *, session: Session, priority: Priority, tier: Tier, start: datetime
) -> tuple[datetime, datetime]:
    """(respond_by, on_site_by) from the policy table, falling back to the defaults."""
    policy = session.get(SlaPolicy, (priority, tier))
    respond, on_site = (
        (policy.respond_within_min, policy.on_site_within_min)
        if policy is not None
        else DEFAULT_SLA[(priority, tier)]
    )
    return start + timedelta(minutes=respond), start + timedelta(minutes=on_site)


def set_sla_policy(
    *,
    session: Session,
    priority: Priority,
    tier: Tier,
    respond_within_min: int,
    on_site_within_min: int,
) -> SlaPolicy:
    """Edit one cell of the SLA table (applies to work orders created afterwards)."""
    if not 0 < respond_within_min <= on_site_within_min:
        raise ValueError("need 0 < respond_within_min <= on_site_within_min")
    policy = session.get(SlaPolicy, (priority, tier))
    if policy is None:
        policy = SlaPolicy(priority=priority, customer_tier=tier)
        session.add(policy)
    policy.respond_within_min = respond_within_min
    policy.on_site_within_min = on_site_within_min
    session.flush()
    return policy


def list_sla_policies(*, session: Session) -> list[SlaPolicy]:
    return list(session.query(SlaPolicy).order_by(SlaPolicy.priority, SlaPolicy.customer_tier))
