"""Writing the record of one request, whatever made it: a person on a channel, or an alert."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from customers.contracts import Cover
from customers.models import Asset, ContractKind
from workorders.counters import next_counter
from workorders.models import Priority, WorkOrder
from workorders.requests.models import Category, Channel, Coverage, Outcome, ServiceRequest


def coverage_of(cover: Cover) -> Coverage:
    if cover.kind is ContractKind.WARRANTY:
        return Coverage.WARRANTY
    if cover.kind is ContractKind.PAID:
        return Coverage.CONTRACT
    return Coverage.NONE


@dataclass(frozen=True, slots=True)
class Received:
    """A request as it came in."""

    channel: Channel
    category: Category | None
    description: str
    problem: str
    contact_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    wanted_at: datetime | None = None


def record_request(
    *,
    session: Session,
    received: Received,
    asset: Asset,
    work_order: WorkOrder,
    outcome: Outcome,
    priority: Priority,
    reasons: list[str],
    cover: Cover,
    actor: str,
    now: datetime,
) -> ServiceRequest:
    seq = next_counter(session=session, name=f"service_request_number:{now.year}")
    row = ServiceRequest(
        id=uuid.uuid4(),
        number=f"RQ-{now.year}-{seq:06d}",
        channel=received.channel,
        category=received.category,
        description=received.description,
        problem=received.problem,
        asset_id=asset.id,
        site_id=asset.site_id,
        customer_id=asset.customer_id,
        contact_id=received.contact_id,
        contact_name=received.contact_name,
        contact_phone=received.contact_phone,
        contact_email=received.contact_email,
        wanted_at=received.wanted_at,
        received_at=now,
        raised_by=actor,
        work_order_id=work_order.id,
        outcome=outcome,
        priority=priority,
        reasons=list(reasons),
        coverage=coverage_of(cover),
        billable=cover.billable,
        billable_reason=cover.reason,
    )
    session.add(row)
    session.flush()
    return row
