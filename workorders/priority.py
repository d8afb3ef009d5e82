"""Priority class of a work order (its SLA deadlines: ``workorders.sla``).

Priority follows from three things, in this order: the fault's severity, how soon the degradation
trend predicts a failure, and how critical the asset is. Data-quality problems are never more
than a suggestion: they say the data is wrong, not that the equipment is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from workorders.catalog import fault_info, is_data_quality
from workorders.models import Criticality, Priority

_ORDER = [Priority.SUGGESTION, Priority.NORMAL, Priority.URGENT]
URGENT_WITHIN = timedelta(hours=72)
NORMAL_WITHIN = timedelta(days=14)


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
