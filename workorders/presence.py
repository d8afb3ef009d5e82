"""Gateway outages as data-quality work orders: one per outage, closed when the gateway is back.

Presence comes from the status topic's Last Will and Sparkplug's NDEATH/DDEATH (the
``gateway_status`` points, read by ``ingest.presence``). An asset offline for longer than
``open_after`` gets the ``dq_gateway_offline`` work order that the scorer's own offline check
also uses (so the two never open two); when its gateway is back online that work order, whoever
opened it during the outage, is resolved (``no_fault_found``, the time in the notes) and closed. An outage counts from the
first offline point after an online one, so a reconnect storm of short drops opens nothing, and a
work order whose detection is after the outage began already stands for it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from ingest.presence import Presence, PresenceTracker
from models.base import Decision
from workorders import from_alerts, intake, service
from workorders.db import in_transaction
from workorders.models import FINISHED, Asset, ResolutionCode, Status, WorkOrder

log = logging.getLogger(__name__)

FAULT_CODE = "dq_gateway_offline"
DETECTOR = "presence"
# The asset type of an asset first seen through its presence (a gateway with no telemetry).
GATEWAY_ASSET_TYPE = "gateway"


@dataclass
class OutageReport:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


class OutageWatch:
    """The presence job: read new presence points, open and close work orders.

    Each asset's state is acted on once per change (it remembers what it handled), so a pass
    over a fleet where nothing changed asks the database nothing.
    """

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        tracker: PresenceTracker,
        open_after: timedelta,
    ) -> None:
        self.session_factory = session_factory
        self.tracker = tracker
        self.open_after = open_after
        self._handled: dict[str, tuple[bool, datetime]] = {}

    def check(self, now: datetime) -> OutageReport:
        self.tracker.refresh(now)
        report = OutageReport()
        for presence in self.tracker.all():
            state = (presence.online, presence.since)
            if self._handled.get(presence.asset) == state:
                continue
            if presence.online:
                step = _close
            elif now - presence.since >= self.open_after:
                step = _open
            else:
                continue  # offline, not for long enough yet
            work = functools.partial(step, presence=presence, now=now, report=report)
            in_transaction(self.session_factory, work)
            self._handled[presence.asset] = state
        if report.opened or report.closed:
            log.info("gateway outages: opened %s, closed %s", report.opened, report.closed)
        return report


def _latest(session: Session, presence: Presence) -> WorkOrder | None:
    query = (
        sa.select(WorkOrder)
        .join(Asset)
        .where(
            Asset.site == presence.site,
            Asset.asset == presence.asset,
            WorkOrder.fault_code == FAULT_CODE,
        )
        .order_by(WorkOrder.detected_at.desc())
    )
    return session.scalars(query).first()


def _open(session: Session, *, presence: Presence, now: datetime, report: OutageReport) -> None:
    latest = _latest(session, presence)
    if latest is not None and latest.detected_at >= presence.since:
        return  # this outage has its work order already (open, or closed by someone)
    asset = session.scalars(
        sa.select(Asset).where(Asset.site == presence.site, Asset.asset == presence.asset)
    ).first()
    decision = Decision(
        site=presence.site,
        asset=presence.asset,
        asset_type=asset.asset_type if asset is not None else GATEWAY_ASSET_TYPE,
        at=now,
        fault_code=FAULT_CODE,
        score=1.0,
        threshold=0.5,
        is_anomalous=True,
        detector=DETECTOR,
        model_version="",
        contributions={},
    )
    opened = from_alerts.open_for_alert(session=session, decision=decision, now=now)
    if opened.action in ("created", "reopened"):
        report.opened.append(opened.work_order.number)


def _close(session: Session, *, presence: Presence, now: datetime, report: OutageReport) -> None:
    latest = _latest(session, presence)
    # Whoever opened it (this job, or the scorer's "no readings" check, which may well be
    # first), a gateway-offline work order detected before the gateway came back is over.
    if latest is None or latest.status.value in FINISHED or latest.detected_at > presence.since:
        return
    note = f"gateway back online at {presence.since:%Y-%m-%d %H:%M:%S} UTC"
    if latest.status is not Status.RESOLVED:
        latest = service.record_resolution(
            session=session,
            work_order_id=latest.id,
            code=ResolutionCode.NO_FAULT_FOUND,
            expected_version=None,
            actor=intake.SYSTEM,
            now=now,
            notes=note,
        )
    service.transition(
        session=session,
        work_order_id=latest.id,
        to=Status.CLOSED,
        expected_version=None,
        actor=intake.SYSTEM,
        now=now,
        note="gateway back online",  # the audit's action is short; the time is in the notes
    )
    report.closed.append(latest.number)
