"""Turns changes in the database into live events for the dashboard.

The scorer, the alert flows and the ticketing system's calls may run in other processes, so
rather than relying on each of them to call back, the API polls two cheap indexed queries once a
second (alerts changed since the last look, work orders past the last change sequence) and
publishes what changed on the event bus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from alerts.models import Alert, AlertRead
from api.events import EventBus
from workorders.models import WorkOrder


@dataclass
class ChangeWatcher:
    session_factory: sessionmaker[Session]
    events: EventBus
    _alerts_since: datetime | None = None
    _seen_at_since: set[Any] = field(default_factory=set)
    _work_order_seq: int | None = None

    def start_from_now(self) -> None:
        """Only changes after this point are news."""
        with self.session_factory() as session:
            self._alerts_since = session.scalar(sa.select(sa.func.max(Alert.updated_at)))
            self._seen_at_since = set(
                session.scalars(sa.select(Alert.id).where(Alert.updated_at == self._alerts_since))
            )
            self._work_order_seq = session.scalar(sa.select(sa.func.max(WorkOrder.change_seq))) or 0

    def poll(self) -> int:
        """Publish what changed since the last poll; returns how many events."""
        if self._work_order_seq is None:
            self.start_from_now()
        published = 0
        with self.session_factory() as session:
            query = sa.select(Alert).order_by(Alert.updated_at, Alert.id).limit(500)
            if self._alerts_since is not None:
                query = query.where(Alert.updated_at >= self._alerts_since)
            for alert in session.scalars(query):
                if alert.updated_at == self._alerts_since and alert.id in self._seen_at_since:
                    continue
                if alert.updated_at != self._alerts_since:
                    self._alerts_since, self._seen_at_since = alert.updated_at, set()
                self._seen_at_since.add(alert.id)
                self.events.publish(
                    "alert", AlertRead.model_validate(alert).model_dump(mode="json")
                )
                published += 1
            changed = session.scalars(
                sa.select(WorkOrder)
                .where(WorkOrder.change_seq > (self._work_order_seq or 0))
                .order_by(WorkOrder.change_seq)
                .limit(500)
            )
            for wo in changed:
                self._work_order_seq = wo.change_seq
                self.events.publish("work_order", work_order_event(wo))
                published += 1
        return published


def work_order_event(wo: WorkOrder) -> dict[str, Any]:
    return {
        "id": str(wo.id),
        "number": wo.number,
        "status": wo.status.value,
        "priority": wo.priority.value,
        "asset": wo.asset.asset,
        "site": wo.asset.site,
        "fault_code": wo.fault_code,
        "fault_title": wo.fault_title,
        "version": wo.version,
        "updated_at": wo.updated_at.isoformat(),
    }
