"""Work-order services: plain functions, session first, the caller commits.

Every change goes through :func:`apply_change`, which writes the audit row, takes the next change
sequence (the pull cursor) and puts the new document in the outbox, all in the caller's
transaction: a work order and its webhook are committed together or not at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workorders.counters import CHANGES, lock_changes, next_counter
from workorders.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from workorders.intake import reopen_changes
from workorders.models import (
    ResolutionCode,
    Status,
    WorkOrder,
    WorkOrderAudit,
)
from workorders.notices import service as notices
from workorders.webhooks.service import enqueue

S = Status
ALLOWED: dict[Status, frozenset[Status]] = {
    S.OPEN: frozenset({S.ACKNOWLEDGED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.ACKNOWLEDGED: frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    # Back to dispatched: a second visit is needed (it counts against first-time fix).
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.DISPATCHED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.CANCELLED: frozenset(),
    S.REOPENED: frozenset({S.ACKNOWLEDGED, S.DISPATCHED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
}
FOLLOW_UP = timedelta(days=7)


# --- reading ------------------------------------------------------------------------------------


def get_work_order(*, session: Session, ref: uuid.UUID | str) -> WorkOrder:
    """By id (UUID) or by human number (``WO-2026-000123``)."""
    wo: WorkOrder | None
    if isinstance(ref, str) and ref.upper().startswith("WO-"):
        wo = session.scalars(sa.select(WorkOrder).where(WorkOrder.number == ref.upper())).first()
    else:
        try:
            wo = session.get(WorkOrder, ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref))
        except ValueError:
            raise InvalidInput(f"not a work-order id or number: {ref!r}") from None
    if wo is None:
        raise NotFound(f"no work order {ref}")
    return wo


# --- changing -----------------------------------------------------------------------------------

EventType = Literal[
    "work_order.created", "work_order.updated", "work_order.status_changed", "work_order.reopened"
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _check_version(wo: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != wo.version:
        raise Conflict(
            f"{wo.number} is at version {wo.version}, not {expected_version}: re-read it and retry",
            current_version=wo.version,
        )


def _load(*, session: Session, work_order_id: uuid.UUID, expected_version: int | None) -> WorkOrder:
    """The work order, refused with Conflict first if the caller's version is stale: a decision
    taken on an old state gets 409, whatever else is wrong with it."""
    lock_changes(session=session)
    wo = get_work_order(session=session, ref=work_order_id)
    _check_version(wo, expected_version)
    return wo


def load_for_change(
    *, session: Session, work_order_id: uuid.UUID, expected_version: int | None
) -> WorkOrder:
    """The work order, ready for a change computed elsewhere (``workorders.sla.flows``)."""
    return _load(session=session, work_order_id=work_order_id, expected_version=expected_version)


def apply_change(
    *,
    session: Session,
    wo: WorkOrder,
    now: datetime,
    actor: str,
    action: str,
    event: EventType,
    expected_version: int | None = None,
    **changes: Any,
) -> WorkOrder:
    _check_version(wo, expected_version)
    diff = {
        name: [_plain(getattr(wo, name)), _plain(value)]
        for name, value in changes.items()
        if getattr(wo, name) != value
    }
    lost = Conflict(f"{wo.number} was changed by someone else: re-read it and retry")
    # Taken before touching the object: the counter's query would autoflush a half-made change
    # (and bump the version twice).
    seq = next_counter(session=session, name=CHANGES)
    for name, value in changes.items():
        setattr(wo, name, value)
    wo.updated_at = now
    wo.change_seq = seq
    try:
        session.flush()
    except StaleDataError:
        # PostgreSQL: the UPDATE ... WHERE version = n matched nothing (the other one committed).
        raise lost from None
    session.add(
        WorkOrderAudit(
            work_order_id=wo.id,
            at=now,
            actor=actor,
            action=action,
            changes=diff,
            version=wo.version,
        )
    )
    enqueue(session=session, event_type=event, work_order=wo, now=now)
    if changes.get("status") == S.RESOLVED:
        notices.done(session=session, wo=wo, now=now)
    return wo


def transition(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    to: Status,
    expected_version: int | None,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> WorkOrder:
    """Move a work order along its lifecycle.

    Raises TransitionNotAllowed (naming the allowed targets), Conflict when ``expected_version``
    is stale or a concurrent transaction won (the session must then be rolled back), NotFound.
    """
    wo = _load(session=session, work_order_id=work_order_id, expected_version=expected_version)
    to = Status(to)
    if to not in ALLOWED[wo.status]:
        raise TransitionNotAllowed(wo.status.value, to.value, (s.value for s in ALLOWED[wo.status]))
    if to is Status.CLOSED and wo.resolution_code is None:
        raise InvalidInput(f"{wo.number}: record a resolution code before closing it")
    changes: dict[str, Any] = {"status": to}
    if to in (S.ACKNOWLEDGED, S.DISPATCHED, S.IN_PROGRESS) and wo.responded_at is None:
        changes["responded_at"] = now
    if to is S.IN_PROGRESS:
        changes["visits"] = wo.visits + 1
        if wo.on_site_at is None:
            changes["on_site_at"] = now
    if to is S.RESOLVED:
        changes |= {"resolved_at": now, "follow_up_until": now + FOLLOW_UP}
    if to is S.CLOSED:
        changes["closed_at"] = now
    if to is S.REOPENED:
        changes |= reopen_changes(session=session, wo=wo, now=now, actor=actor)
    action = f"status:{wo.status.value}->{to.value}" + (f" ({note})" if note else "")
    event: EventType = "work_order.reopened" if to is S.REOPENED else "work_order.status_changed"
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action=action,
        event=event,
        expected_version=expected_version,
        **changes,
    )


def _edit(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    expected_version: int | None,
    actor: str,
    now: datetime,
    action: str,
    **changes: Any,
) -> WorkOrder:
    wo = _load(session=session, work_order_id=work_order_id, expected_version=expected_version)
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action=action,
        event="work_order.updated",
        expected_version=expected_version,
        **changes,
    )


def assign(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    assignee: str | None,
    expected_version: int | None,
    actor: str,
    now: datetime,
) -> WorkOrder:
    return _edit(
        session=session,
        work_order_id=work_order_id,
        expected_version=expected_version,
        actor=actor,
        now=now,
        action="assign",
        assignee=assignee or None,
    )


def set_external_ref(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    external_ref: str | None,
    expected_version: int | None,
    actor: str,
    now: datetime,
) -> WorkOrder:
    if external_ref is not None and not 0 < len(external_ref) <= 200:
        raise InvalidInput("external_ref must have 1 to 200 characters")
    return _edit(
        session=session,
        work_order_id=work_order_id,
        expected_version=expected_version,
        actor=actor,
        now=now,
        action="external_ref",
        external_ref=external_ref,
    )


def record_resolution(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    code: ResolutionCode,
    expected_version: int | None,
    actor: str,
    now: datetime,
    notes: str | None = None,
    parts_used: list[str] | None = None,
    no_acceptance_reason: str | None = None,
) -> WorkOrder:
    """Record the outcome; resolves the work order if it is not resolved yet.

    ``false_alarm`` and ``confirmed_fault`` become training labels (``workorders.labels``). A
    repair (``confirmed_fault``) needs the customer's acceptance (:func:`record_acceptance`, made
    by the engineer's visit) or ``no_acceptance_reason`` saying why there is none: every way of
    resolving (API, command line, the engineer's phone) comes through here.
    """
    wo = _load(session=session, work_order_id=work_order_id, expected_version=expected_version)
    code = ResolutionCode(code)
    reason = (no_acceptance_reason or "").strip() or None
    if reason is not None and len(reason) > 500:
        raise InvalidInput("no_acceptance_reason must have at most 500 characters")
    changes: dict[str, Any] = {
        "resolution_code": code,
        "resolution_notes": notes,
        "parts_used": list(parts_used or []),
    }
    if code is ResolutionCode.CONFIRMED_FAULT:
        if wo.accepted_at is None and reason is None:
            raise InvalidInput(
                f"{wo.number} cannot be resolved as repaired without the customer's acceptance: "
                "have the customer sign on the engineer's visit, or give no_acceptance_reason "
                "(why there is no signature, e.g. 'site unattended')"
            )
        if wo.accepted_at is None:
            changes["no_acceptance_reason"] = reason
    if wo.status not in (S.RESOLVED, S.CLOSED):
        if S.RESOLVED not in ALLOWED[wo.status]:
            raise TransitionNotAllowed(
                wo.status.value, S.RESOLVED.value, (s.value for s in ALLOWED[wo.status])
            )
        changes |= {"status": S.RESOLVED, "resolved_at": now, "follow_up_until": now + FOLLOW_UP}
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action="resolution",
        event="work_order.status_changed" if "status" in changes else "work_order.updated",
        expected_version=expected_version,
        **changes,
    )


def record_acceptance(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    accepted_by: str,
    expected_version: int | None,
    actor: str,
    now: datetime,
) -> WorkOrder:
    """The customer accepted the repair: ``accepted_by`` is the name they signed with."""
    name = accepted_by.strip()
    if not 0 < len(name) <= 200:
        raise InvalidInput("the customer's name must have 1 to 200 characters")
    wo = _load(session=session, work_order_id=work_order_id, expected_version=expected_version)
    if wo.status in (S.CLOSED, S.CANCELLED):
        raise InvalidInput(f"{wo.number} is {wo.status.value}: nothing left to accept")
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action="acceptance",
        event="work_order.updated",
        expected_version=expected_version,
        accepted_by=name,
        accepted_at=now,
        no_acceptance_reason=None,
    )


def record_csat(
    *,
    session: Session,
    work_order_id: uuid.UUID,
    csat: int,
    expected_version: int | None,
    actor: str,
    now: datetime,
) -> WorkOrder:
    if not 1 <= csat <= 5:
        raise InvalidInput("customer satisfaction must be an integer from 1 to 5")
    wo = _load(session=session, work_order_id=work_order_id, expected_version=expected_version)
    if wo.status not in (S.RESOLVED, S.CLOSED):
        raise InvalidInput(f"{wo.number} is {wo.status.value}: rate it once resolved")
    return _edit(
        session=session,
        work_order_id=work_order_id,
        expected_version=expected_version,
        actor=actor,
        now=now,
        action="csat",
        csat=csat,
    )
