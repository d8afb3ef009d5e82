"""Status changes made in the ticketing systems, brought back as work-order transitions (the
scheduler calls :func:`sync_status`).

Per connector subscription: ask the connector for the changes after the stored cursor (HTTP,
outside any transaction), then apply them and store the new cursor in one transaction, so a
crash between the two repeats the changes instead of losing them (a repeated change is a no-op:
the work order is already in that status). A change whose transition the lifecycle does not allow
(RT says "open" about a work order already dispatched) is skipped and counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workorders import service
from workorders.connectors.base import Changes, ConnectorError, TicketConnector
from workorders.connectors.models import TicketLink
from workorders.db import in_transaction
from workorders.errors import WorkOrderError
from workorders.models import WorkOrder
from workorders.webhooks.models import Subscription


@dataclass
class SyncReport:
    applied: int = 0
    # Changes of tickets that are not Vigil's, of statuses that mean nothing, or already applied.
    ignored: int = 0
    # Changes the work order's lifecycle refused from its current status.
    refused: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def _apply(
    session: Session,
    *,
    subscription_id: uuid.UUID,
    actor: str,
    changes: Changes,
    now: datetime,
    report: SyncReport,
) -> None:
    for change in changes.changes:
        work_order_id = session.scalar(
            sa.select(TicketLink.work_order_id).where(
                TicketLink.subscription_id == subscription_id,
                TicketLink.ticket_ref == change.ticket_ref,
            )
        )
        wo = session.get(WorkOrder, work_order_id) if work_order_id else None
        if wo is None or change.to is None or change.to is wo.status:
            report.ignored += 1
            continue
        if change.to not in service.ALLOWED[wo.status]:
            report.refused += 1
            continue
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=change.to,
            expected_version=None,
            actor=actor,
            now=now,
            note=change.note,
        )
        report.applied += 1
    sub = session.get(Subscription, subscription_id)
    if sub is not None:
        sub.sync_cursor = changes.next_cursor


def sync_status(
    *,
    session_factory: sessionmaker[Session],
    connectors: Mapping[str, TicketConnector],
    now: datetime,
) -> SyncReport:
    """Apply each connector subscription's new remote status changes; returns what happened."""
    report = SyncReport()
    subs = in_transaction(
        session_factory,
        lambda session: [
            (sub.id, sub.connector or "", sub.url, sub.sync_cursor)
            for sub in session.scalars(
                sa.select(Subscription).where(
                    Subscription.active, Subscription.connector.is_not(None)
                )
            )
        ],
    )
    for subscription_id, name, url, cursor in subs:
        connector = connectors.get(name)
        if connector is None:
            report.errors[str(subscription_id)] = f"connector {name!r} is not configured"
            continue
        try:
            changes = connector.status_changes(url, cursor)
            work = partial(
                _apply,
                subscription_id=subscription_id,
                actor=connector.name,
                changes=changes,
                now=now,
                report=report,
            )
            in_transaction(session_factory, work)
        except (ConnectorError, WorkOrderError) as error:
            report.errors[str(subscription_id)] = str(error)
    return report
