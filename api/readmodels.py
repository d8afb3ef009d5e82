"""Read-only queries the fleet views and metrics need across alerts and work orders.

Grouped counts over a whole fleet, one query each: the services' per-item functions would cost a
round trip per asset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.models import LIVE, Alert, AlertState, Silence
from api.health_state import AssetActivity
from workorders.models import FINISHED, Asset, Priority, Status, WorkOrder
from workorders.webhooks.models import Delivery, DeliveryStatus

# Columns of the work-order board, in lifecycle order.
BOARD_COLUMNS = (
    Status.OPEN,
    Status.REOPENED,
    Status.ACKNOWLEDGED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
)


def asset_activity(session: Session) -> Mapping[str, AssetActivity]:
    now = datetime.now(UTC)
    firing: dict[str, list[str]] = defaultdict(list)
    pending: dict[str, list[str]] = defaultdict(list)
    for asset, fault, state in session.execute(
        sa.select(Alert.asset, Alert.fault_code, Alert.state).where(Alert.state.in_(LIVE))
    ):
        (firing if state == AlertState.FIRING else pending)[asset].append(fault)
    open_wos: dict[str, int] = {}
    urgent: set[str] = set()
    is_urgent = sa.case((WorkOrder.priority == Priority.URGENT, 1), else_=0)
    for asset, count, urgent_count in session.execute(
        sa.select(Asset.asset, sa.func.count(), sa.func.sum(is_urgent))
        .join(WorkOrder.asset)
        .where(WorkOrder.status.not_in(FINISHED), WorkOrder.status != Status.RESOLVED)
        .group_by(Asset.asset)
    ):
        open_wos[asset] = int(count)
        if urgent_count:
            urgent.add(asset)
    silenced: set[str] = set()
    silenced_sites: set[str] = set()
    for site, silenced_asset in session.execute(
        sa.select(Silence.site, Silence.asset).where(
            Silence.starts_at <= now, Silence.ends_at > now, Silence.fault_code.is_(None)
        )
    ):
        if silenced_asset is None:
            silenced_sites.add(site)
        else:
            silenced.add(silenced_asset)
    if silenced_sites:
        silenced |= set(
            session.scalars(sa.select(Asset.asset).where(Asset.site.in_(silenced_sites)))
        )
    names = set(firing) | set(pending) | set(open_wos) | silenced
    return {
        name: AssetActivity(
            firing=tuple(firing.get(name, ())),
            pending=tuple(pending.get(name, ())),
            silenced=name in silenced,
            urgent=name in urgent,
            open_alerts=len(firing.get(name, ())) + len(pending.get(name, ())),
            open_work_orders=open_wos.get(name, 0),
        )
        for name in names
    }


def alert_states(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(Alert.state, sa.func.count()).group_by(Alert.state))
    counts = {state.value: 0 for state in AlertState}
    counts.update({AlertState(state).value: int(n) for state, n in rows})
    return counts


def failing_deliveries(session: Session) -> dict[str, int]:
    """Deliveries not delivered: still retrying after a failure, or dead-lettered."""
    retrying = session.scalar(
        sa.select(sa.func.count())
        .select_from(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.attempts > 0)
    )
    dead = session.scalar(
        sa.select(sa.func.count())
        .select_from(Delivery)
        .where(Delivery.status == DeliveryStatus.DEAD)
    )
    return {"retrying": int(retrying or 0), "dead": int(dead or 0)}


def board(session: Session, *, limit_per_column: int = 100) -> dict[Status, list[WorkOrder]]:
    columns: dict[Status, list[WorkOrder]] = {status: [] for status in BOARD_COLUMNS}
    for status in BOARD_COLUMNS:
        query = (
            sa.select(WorkOrder)
            .where(WorkOrder.status == status)
            # Soonest predicted failure first (those without one after), then SLA.
            .order_by(
                WorkOrder.predicted_failure_at.is_(None),
                WorkOrder.predicted_failure_at,
                WorkOrder.on_site_by,
                WorkOrder.created_at,
            )
            .limit(limit_per_column)
        )
        columns[status] = list(session.scalars(query))
    return columns


def asset_work_orders(session: Session, *, asset: str, limit: int = 50) -> list[WorkOrder]:
    query = (
        sa.select(WorkOrder)
        .join(WorkOrder.asset)
        .where(Asset.asset == asset)
        .order_by(WorkOrder.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def registered_assets(session: Session) -> list[tuple[str, str, str]]:
    """(site, asset, asset_type) of every asset in the registry."""
    rows = session.execute(sa.select(Asset.site, Asset.asset, Asset.asset_type))
    return [(site, asset, asset_type) for site, asset, asset_type in rows]


def asset_record(session: Session, *, asset: str) -> Asset | None:
    return session.scalars(sa.select(Asset).where(Asset.asset == asset)).first()
