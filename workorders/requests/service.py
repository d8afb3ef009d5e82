"""Requests from every channel become work orders: classified by the stored rules, attached to
the open work order of the same asset and problem instead of opening a second one.

Plain functions, session first; the caller commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customers import contracts
from customers.assets import get_asset, site_asset
from customers.contracts import Cover
from customers.models import Asset
from customers.service import get_contact
from customers.sites import get_site
from workorders import priority as prio
from workorders.catalog import fault_info
from workorders.counters import lock_changes
from workorders.errors import InvalidInput, NotFound
from workorders.intake import (
    REPEAT_WINDOW,
    REQUESTED,
    insert_work_order,
    raised_priority,
    reopen_changes,
)
from workorders.intake import with_channel as channel_change
from workorders.models import FINISHED, Kind, Status, WorkOrder
from workorders.requests.log import Received, coverage_of, record_request
from workorders.requests.models import (
    Category,
    Channel,
    ClassificationRule,
    Outcome,
    ServiceRequest,
)
from workorders.requests.rules import Classification, Facts, Rule, classify
from workorders.service import apply_change

_FAULT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Work that is not about a fault on the equipment.
_SERVICE = frozenset({Category.PREVENTIVE_MAINTENANCE, Category.CONSULTATION})
_TITLES = {c: c.value.replace("_", " ").capitalize() for c in Category}


@dataclass(frozen=True, slots=True)
class RequestData:
    channel: Channel
    category: Category
    description: str
    asset_id: int | None = None
    site_id: int | None = None
    # The problem, when the caller knows it (``mechanical``): the same code as an alert's makes
    # the alert and the request one work order. Default: the category.
    fault_code: str | None = None
    contact_id: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    wanted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Raised:
    request: ServiceRequest
    work_order: WorkOrder


def stored_rules(session: Session) -> list[Rule]:
    rows = session.scalars(sa.select(ClassificationRule).order_by(ClassificationRule.position))
    return [
        Rule(
            name=r.name,
            priority=r.priority,
            channel=r.channel,
            category=r.category,
            words=tuple(r.words or ()),
            criticality=r.criticality,
            coverage=r.coverage,
            enabled=r.enabled,
        )
        for r in rows
    ]


def _target(
    *, session: Session, data: RequestData, customer_id: int | None, now: datetime
) -> Asset:
    """The asset the work is for; NotFound when it is not the customer's (when one is given)."""
    if data.asset_id is not None:
        asset = get_asset(session=session, asset_id=data.asset_id, customer_id=customer_id)
        if data.site_id is not None and asset.site_id != data.site_id:
            raise InvalidInput(f"asset {data.asset_id} is not at site {data.site_id}")
        return asset
    if data.site_id is not None:
        site = get_site(session=session, site_id=data.site_id, customer_id=customer_id)
        return site_asset(session=session, site=site, now=now)
    raise InvalidInput("name the asset (asset_id) or at least the site (site_id) of the request")


def raise_request(
    *,
    session: Session,
    data: RequestData,
    actor: str,
    now: datetime,
    customer_id: int | None = None,
) -> Raised:
    """Record a request and open, attach to or reopen its work order.

    ``customer_id`` limits the request to that customer's assets and sites (the portal).
    """
    description = data.description.strip()
    if not 0 < len(description) <= 5000:
        raise InvalidInput("describe the request in 1 to 5000 characters")
    problem = (data.fault_code or "").strip() or data.category.value
    if not _FAULT_CODE.match(problem):
        raise InvalidInput(f"fault code {problem!r}: lower-case letters, digits and _ only")
    asset = _target(session=session, data=data, customer_id=customer_id, now=now)
    if data.contact_id is not None:
        if asset.customer_id is None:
            raise InvalidInput("this asset has no customer record, so no contact of it")
        get_contact(session=session, contact_id=data.contact_id, customer_id=asset.customer_id)
    cover = contracts.cover(session=session, asset=asset, on=now.date(), category=data.category)
    decided = classify(
        stored_rules(session),
        request=Facts(
            category=data.category,
            text=description,
            criticality=asset.criticality,
            channel=data.channel,
            coverage=coverage_of(cover),
        ),
    )
    received = Received(
        channel=data.channel,
        category=data.category,
        description=description,
        problem=problem,
        contact_id=data.contact_id,
        contact_name=_text(data.contact_name, 200),
        contact_phone=_text(data.contact_phone, 50),
        contact_email=_text(data.contact_email, 254),
        wanted_at=data.wanted_at,
    )
    wo, outcome = _work_order(
        session=session,
        received=received,
        asset=asset,
        decided=decided,
        cover=cover,
        actor=actor,
        now=now,
    )
    request = record_request(
        session=session,
        received=received,
        asset=asset,
        work_order=wo,
        outcome=outcome,
        priority=decided.priority,
        reasons=decided.reasons,
        cover=cover,
        actor=actor,
        now=now,
    )
    return Raised(request, wo)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{value[:20]!r}...: at most {limit} characters")
    return value or None


def _work_order(
    *,
    session: Session,
    received: Received,
    asset: Asset,
    decided: Classification,
    cover: Cover,
    actor: str,
    now: datetime,
) -> tuple[WorkOrder, Outcome]:
    lock_changes(session=session)
    same = sa.select(WorkOrder).where(
        WorkOrder.asset_id == asset.id, WorkOrder.fault_code == received.problem
    )
    active = session.scalars(
        same.where(WorkOrder.status.not_in(FINISHED)).with_for_update()
    ).first()
    if active is not None and active.status is not Status.RESOLVED:
        return _attach(
            session=session, wo=active, received=received, decided=decided, actor=actor, now=now
        ), Outcome.ATTACHED
    if active is None:
        active = session.scalars(
            same.where(
                WorkOrder.status == Status.CLOSED, WorkOrder.closed_at >= now - REPEAT_WINDOW
            ).order_by(WorkOrder.closed_at.desc())
        ).first()
    if active is not None:
        changes = reopen_changes(session=session, wo=active, now=now)
        changes["priority"] = prio.higher(decided.priority, active.priority)
        changes["classification"] = decided.reasons
        changes |= channel_change(active, received.channel)
        apply_change(
            session=session,
            wo=active,
            now=now,
            actor=actor,
            action=f"repeat repair: reported again via {received.channel.value}",
            event="work_order.reopened",
            **changes,
        )
        return active, Outcome.REOPENED
    category = received.category or Category.TROUBLESHOOTING
    info = fault_info(received.problem)
    known = received.problem not in {c.value for c in Category}
    title = f"{info.title if known else _TITLES[category]}: {received.description.splitlines()[0]}"
    try:
        with session.begin_nested():
            wo = insert_work_order(
                session=session,
                asset=asset,
                priority=decided.priority,
                now=now,
                actor=actor,
                kind=Kind.SERVICE if category in _SERVICE else Kind.EQUIPMENT,
                fault_code=received.problem,
                fault_title=title[:200],
                detector=REQUESTED,
                model_version="",
                score=0.0,
                threshold=0.0,
                top_metrics={},
                detected_at=now,
                predicted_failure_at=None,
                suggested_actions=list(info.actions) if known else [],
                suggested_parts=list(info.parts) if known else [],
                channel=received.channel.value,
                channels=[received.channel.value],
                category=category.value,
                classification=decided.reasons,
                billable=cover.billable,
                billable_reason=cover.reason,
            )
    except IntegrityError:
        # A concurrent request or alert opened it first (the one-open-per-problem index).
        return _work_order(
            session=session,
            received=received,
            asset=asset,
            decided=decided,
            cover=cover,
            actor=actor,
            now=now,
        )
    return wo, Outcome.CREATED


def _attach(
    *,
    session: Session,
    wo: WorkOrder,
    received: Received,
    decided: Classification,
    actor: str,
    now: datetime,
) -> WorkOrder:
    """One more report of an open problem: recorded, and the priority raised if it is worse."""
    changes = channel_change(wo, received.channel)
    if prio.higher(decided.priority, wo.priority) is not wo.priority:
        changes |= raised_priority(session=session, wo=wo, wanted=decided.priority, now=now)
        changes["classification"] = decided.reasons
    return apply_change(
        session=session,
        wo=wo,
        now=now,
        actor=actor,
        action=f"request via {received.channel.value} attached",
        event="work_order.updated",
        **changes,
    )


# --- reading --------------------------------------------------------------------------------------


def get_request(
    *, session: Session, ref: uuid.UUID | str, customer_id: int | None = None
) -> ServiceRequest:
    """By id or number (``RQ-2026-000001``); NotFound also when it is another customer's."""
    row: ServiceRequest | None
    if isinstance(ref, str) and ref.upper().startswith("RQ-"):
        row = session.scalars(
            sa.select(ServiceRequest).where(ServiceRequest.number == ref.upper())
        ).first()
    else:
        try:
            row = session.get(ServiceRequest, ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref))
        except ValueError:
            raise InvalidInput(f"not a request id or number: {ref!r}") from None
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound(f"no request {ref}")
    return row


def list_requests(
    *,
    session: Session,
    customer_id: int | None = None,
    work_order_id: uuid.UUID | None = None,
    channel: Channel | None = None,
    limit: int = 100,
) -> list[ServiceRequest]:
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    query = sa.select(ServiceRequest).order_by(
        ServiceRequest.received_at.desc(), ServiceRequest.number.desc()
    )
    if customer_id is not None:
        query = query.where(ServiceRequest.customer_id == customer_id)
    if work_order_id is not None:
        query = query.where(ServiceRequest.work_order_id == work_order_id)
    if channel is not None:
        query = query.where(ServiceRequest.channel == channel)
    return list(session.scalars(query.limit(limit)))
