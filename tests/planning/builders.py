"""Builders for the plan tests: a customer with assets, plans, readings, finished work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from planning import scheduled
from planning.models import MaintenancePlan
from planning.readings import Readings
from planning.schemas import PlanCreate
from planning.service import create_plan
from workorders import service as wo_service
from workorders.models import ResolutionCode, WorkOrder

ACTOR = "manager (test)"


@dataclass
class FakeTelemetry:
    """Readings by (asset, metric), served like the store serves them: [start, end), in order."""

    series: dict[tuple[str, str], Readings] = field(default_factory=dict)

    def add(self, asset: str, metric: str, readings: Readings) -> None:
        self.series.setdefault((asset, metric), []).extend(readings)
        self.series[(asset, metric)].sort()

    def __call__(
        self, assets: Sequence[tuple[str, str]], metric: str, start: datetime, end: datetime
    ) -> dict[tuple[str, str], Readings]:
        return {
            (site, asset): [
                (t, v) for t, v in self.series.get((asset, metric), []) if start <= t < end
            ]
            for site, asset in assets
        }


def plan(session: Session, *, now: datetime, **fields: Any) -> MaintenancePlan:
    values: dict[str, Any] = {"name": "Lubrication", "steps": ["Grease the bearings"]} | fields
    return create_plan(session=session, data=PlanCreate(**values), actor=ACTOR, now=now)


def run(
    factory: sessionmaker[Session], read: FakeTelemetry | None, now: datetime
) -> scheduled.RunReport:
    return scheduled.run(session_factory=factory, read=read or FakeTelemetry(), now=now)


def finish(session: Session, wo: WorkOrder | str, *, now: datetime) -> WorkOrder:
    ref = wo.id if isinstance(wo, WorkOrder) else wo
    current = wo_service.get_work_order(session=session, ref=ref)
    return wo_service.record_resolution(
        session=session,
        work_order_id=current.id,
        code=ResolutionCode.NO_FAULT_FOUND,
        notes="maintenance done",
        expected_version=None,
        actor="engineer",
        now=now,
    )


def hours(start: datetime, every_h: float, values: list[float]) -> Iterator[tuple[datetime, float]]:
    from datetime import timedelta

    for i, value in enumerate(values):
        yield start + timedelta(hours=every_h * (i + 1)), value
