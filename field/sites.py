"""Where a work order's site is, and how its business time is counted, for dispatch.

The dispatch flows take a :data:`Locate` function, so tests and other callers can give sites of
their own; :func:`locate_site` is the one the service uses: the asset's site record (linked, or
found by the site code the collector knows) for the coordinates, and for business time the
calendar the work order's SLA clock counts in (the site's, or around the clock when its plan
counts its priority 24x7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from customers.calendar import Calendar, business_seconds_between
from customers.sites import find_site
from field.dispatch import BusinessSeconds, wall_seconds
from field.geo import GeoPoint
from workorders.models import WorkOrder
from workorders.sla import service as sla


@dataclass(frozen=True, slots=True)
class SiteInfo:
    label: str
    location: GeoPoint | None
    business_seconds: BusinessSeconds = wall_seconds


Locate = Callable[[Session, WorkOrder], SiteInfo]


def _counter(calendar: Calendar) -> BusinessSeconds:
    def seconds(start: datetime, end: datetime) -> float:
        return business_seconds_between(start=start, end=end, calendar=calendar)

    return seconds


def sla_seconds(session: Session, wo: WorkOrder) -> BusinessSeconds:
    """Business seconds as the work order's SLA clock counts them."""
    plan = sla.plan_of(session=session, wo=wo)
    if wo.priority.value in plan.around_the_clock:
        return wall_seconds
    return _counter(sla.site_calendar(session=session, asset=wo.asset))


def locate_site(session: Session, wo: WorkOrder) -> SiteInfo:
    """The site of the work order's asset; without a site record, no coordinates (travel is then
    not counted, and the suggestion says so)."""
    site = wo.asset.site_record or find_site(session=session, code=wo.asset.site)
    counted = sla_seconds(session, wo)
    if site is None or site.latitude is None or site.longitude is None:
        return SiteInfo(wo.asset.site if site is None else site.name, None, counted)
    return SiteInfo(site.name, GeoPoint(site.latitude, site.longitude), counted)
