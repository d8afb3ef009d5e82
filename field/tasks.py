"""An engineer's task list: the work they hold, in the order to drive it.

The job they are at (in progress) comes first; then, from there or from their base, always the
nearest next site (greedy nearest neighbour, ties by on-site deadline then number); work whose
site has no coordinates comes last, by on-site deadline. Each task carries its SLA deadlines.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from field.geo import GeoPoint, great_circle_km
from field.models import Dispatch, Engineer
from field.service import holds
from field.sites import Locate, SiteInfo
from workorders.models import Status, WorkOrder


@dataclass(frozen=True, slots=True)
class Task:
    order: int
    work_order: WorkOrder
    site: str
    distance_km: float | None  # from the previous stop (the first: from the base)


def held_work_orders(*, session: Session, engineer_id: int) -> list[WorkOrder]:
    """Work orders the engineer is dispatched to whose repair is not done yet."""
    return list(
        session.scalars(
            sa.select(WorkOrder)
            .join(Dispatch, Dispatch.work_order_id == WorkOrder.id)
            .where(
                Dispatch.engineer_id == engineer_id,
                holds(),
            )
            .order_by(WorkOrder.on_site_by, WorkOrder.number)
        )
    )


def task_list(*, session: Session, engineer: Engineer, locate: Locate) -> list[Task]:
    held = held_work_orders(session=session, engineer_id=engineer.id)
    placed = [(wo, locate(session, wo)) for wo in held]
    here: GeoPoint | None = (
        GeoPoint(engineer.base_latitude, engineer.base_longitude)
        if engineer.base_latitude is not None and engineer.base_longitude is not None
        else None
    )
    route: list[tuple[WorkOrder, str, float | None]] = []
    started = [p for p in placed if p[0].status is Status.IN_PROGRESS]
    rest = [p for p in placed if p[0].status is not Status.IN_PROGRESS]
    for wo, site in started:
        route.append((wo, site.label, _km(here, site.location)))
        here = site.location or here
    located = [p for p in rest if p[1].location is not None]
    unlocated = [p for p in rest if p[1].location is None]
    while located:
        wo, site = min(located, key=functools.partial(_nearest_first, here))
        located.remove((wo, site))
        route.append((wo, site.label, _km(here, site.location)))
        here = site.location
    route.extend((wo, site.label, None) for wo, site in unlocated)
    return [
        Task(order=i, work_order=wo, site=label, distance_km=distance)
        for i, (wo, label, distance) in enumerate(route, start=1)
    ]


def _nearest_first(
    here: GeoPoint | None, placed: tuple[WorkOrder, SiteInfo]
) -> tuple[float, datetime, str]:
    wo, site = placed
    return (_km(here, site.location) or 0.0, wo.on_site_by, wo.number)


def _km(a: GeoPoint | None, b: GeoPoint | None) -> float | None:
    return None if a is None or b is None else round(great_circle_km(a, b), 1)
