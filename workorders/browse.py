"""Reading work orders in lists: the audit log of one, and pages of many in change order (the
pull API's cursor)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Site
from workorders.errors import InvalidInput
from workorders.models import (
    Asset,
    Priority,
    Status,
    WorkOrder,
    WorkOrderAudit,
)


def audit_log(*, session: Session, work_order_id: uuid.UUID) -> list[WorkOrderAudit]:
    query = (
        sa.select(WorkOrderAudit)
        .where(WorkOrderAudit.work_order_id == work_order_id)
        .order_by(WorkOrderAudit.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class Page:
    items: list[WorkOrder]
    # Pass it back as ``cursor`` for the next page; it is also valid when ``items`` is empty
    # (poll again later with it to get only what changed since).
    next_cursor: str


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"s": seq}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        seq = data["s"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise InvalidInput("invalid cursor: pass back next_cursor exactly as received") from None
    if not isinstance(seq, int) or seq < 0:
        raise InvalidInput("invalid cursor: pass back next_cursor exactly as received")
    return seq


def list_work_orders(
    *,
    session: Session,
    status: Status | None = None,
    priority: Priority | None = None,
    site: str | None = None,
    asset: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
    customer_id: int | None = None,
    assignee: str | None = None,
) -> Page:
    """Work orders in the order they last changed, oldest change first.

    The cursor is the change sequence of the last item. Sequence values are taken under a lock
    held until commit, so they become visible in order: a poller that follows ``next_cursor``
    sees every change at least once (a work order changed again reappears later, with its
    newer version), and never misses one committed by a concurrent transaction.
    """
    if not 1 <= limit <= 500:
        raise InvalidInput("limit must be between 1 and 500")
    after = _decode_cursor(cursor) if cursor else 0
    query = sa.select(WorkOrder).join(Asset).where(WorkOrder.change_seq > after)
    if status is not None:
        query = query.where(WorkOrder.status == status)
    if priority is not None:
        query = query.where(WorkOrder.priority == priority)
    if site is not None:
        query = query.where(Asset.site == site)
    if asset is not None:
        query = query.where(Asset.asset == asset)
    if updated_since is not None:
        query = query.where(WorkOrder.updated_at >= updated_since)
    if customer_id is not None:
        query = query.where(
            Asset.site_id.in_(sa.select(Site.id).where(Site.customer_id == customer_id))
        )
    if assignee is not None:
        query = query.where(WorkOrder.assignee == assignee)
    items = list(session.scalars(query.order_by(WorkOrder.change_seq).limit(limit)))
    return Page(items, _encode_cursor(items[-1].change_seq if items else after))
