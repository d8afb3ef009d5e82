"""What every way in for work shares (alerts, requests from any channel, preventive plans): a new
work order with its number and SLA clock, and the changes that fold new news into one already
open: reopening it, one more channel, a raised or new priority.

Each returns or writes changes in the caller's transaction; the changes to an existing work
order go through ``workorders.service.apply_change`` like any other.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from workorders.counters import CHANGES, next_counter
from workorders.models import Asset, Priority, Status, WorkOrder, WorkOrderAudit
from workorders.notices import service as notices
from workorders.requests.models import Channel
from workorders.sla import service as sla
from workorders.sla.clock import Event
from workorders.sla.models import ClockEventKind
from workorders.webhooks.service import enqueue

S = Status
# Closed work on the same asset and fault within this window is reopened, not opened anew.
REPEAT_WINDOW = timedelta(days=30)
# The actor of the changes Vigil makes by itself.
SYSTEM = "vigil"
# The detector of work orders made from requests (no model said so: a person did).
REQUESTED = "request"


def with_channel(wo: WorkOrder, channel: Channel) -> dict[str, Any]:
    """The change that records one more channel on a work order (each channel once, in order)."""
    channels = list(wo.channels or [wo.channel])
    return {} if channel.value in channels else {"channels": [*channels, channel.value]}


def raised_priority(
    *, session: Session, wo: WorkOrder, wanted: Priority, now: datetime, actor: str = SYSTEM
) -> dict[str, Any]:
    """The changes that raise a work order to ``wanted``: its deadlines only ever get earlier
    (the SLA clock's rule for a higher priority, see ``workorders.sla.clock``)."""
    return reclassified(session=session, wo=wo, priority=wanted, actor=actor, now=now)


def reclassified(
    *, session: Session, wo: WorkOrder, priority: Priority, actor: str, now: datetime
) -> dict[str, Any]:
    """The changes of a new priority: the priority and the SLA clock recomputed with it."""
    event = Event(
        kind=ClockEventKind.TARGET_CHANGE,
        at=now,
        priority=priority,
        reason=f"priority {wo.priority.value} -> {priority.value}",
    )
    return {"priority": priority} | sla.change(
        session=session, wo=wo, event=event, actor=actor, now=now
    )


def insert_work_order(
    *, session: Session, asset: Asset, priority: Priority, now: datetime, actor: str, **fields: Any
) -> WorkOrder:
    """A new open work order with the next number of the year and its SLA clock started
    (``workorders.sla``); ``fields`` are the columns that say what it is about and where it came
    from."""
    clock = sla.opening(session=session, asset=asset, priority=priority, now=now)
    seq = next_counter(session=session, name=f"work_order_number:{now.year}")
    wo = WorkOrder(
        id=uuid.uuid4(),
        number=f"WO-{now.year}-{seq:06d}",
        change_seq=next_counter(session=session, name=CHANGES),
        asset_id=asset.id,
        asset=asset,
        priority=priority,
        status=S.OPEN,
        created_at=now,
        updated_at=now,
        parts_used=[],
        repeat_count=0,
        visits=0,
        **fields,
        **clock.fields(),
    )
    session.add(wo)
    session.flush()
    sla.record_opening(session=session, wo=wo, opening=clock, actor=actor)
    session.add(
        WorkOrderAudit(
            work_order_id=wo.id,
            at=now,
            actor=actor,
            action="created",
            changes={},
            version=wo.version,
        )
    )
    enqueue(session=session, event_type="work_order.created", work_order=wo, now=now)
    notices.received(session=session, wo=wo, now=now)
    return wo


def reopen_changes(
    *,
    session: Session,
    wo: WorkOrder,
    now: datetime,
    actor: str = SYSTEM,
    priority: Priority | None = None,
) -> dict[str, Any]:
    """Reopened work starts a new SLA clock (a new start event in its log), with ``priority``
    when the reopening also raises it."""
    plan = sla.plan_for(session=session, asset=wo.asset, now=now)
    restart = Event(
        kind=ClockEventKind.START,
        at=now,
        priority=priority or wo.priority,
        tier=sla.tier_of(wo.asset),
        plan_id=plan.id,
    )
    return sla.change(session=session, wo=wo, event=restart, actor=actor, now=now) | {
        "status": S.REOPENED,
        "repeat_count": wo.repeat_count + 1,
        "reopened_at": now,
        "responded_at": None,
        "on_site_at": None,
        "resolved_at": None,
        "closed_at": None,
        "follow_up_until": None,
        "resolution_code": None,
        "resolution_notes": None,
        "csat": None,
        "parts_used": [],
        # A new repair needs its own acceptance.
        "accepted_by": None,
        "accepted_at": None,
        "no_acceptance_reason": None,
    }
