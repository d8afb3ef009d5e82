"""Where a work order's site is, and how its business time is counted, for dispatch.

The dispatch flows take a :data:`Locate` function, so tests and other callers can give sites of
their own; :func:`locate_site` is the one the service uses: the asset's site record (linked, or
found by the site code the collector knows), its coordinates and its business calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from customers.calendar import Calendar, CalendarError, business_seconds_between
from customers.models import Site
from customers.sites import find_site
from field.dispatch import BusinessSeconds, wall_seconds
from field.geo import GeoPoint
from workorders.models import WorkOrder


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


def site_info(site: Site) -> SiteInfo:
    location = (
        GeoPoint(site.latitude, site.longitude)
        if site.latitude is not None and site.longitude is not None
        else None
    )
    try:
        calendar = Calendar.from_site(
            timezone=site.timezone,
            business_hours=site.business_hours,
            holidays=[h.day for h in site.holidays if h.active],
        )
    except CalendarError:
        # A site without usable hours counts every hour, as the SLA clock then does.
        return SiteInfo(label=site.name, location=location)
    return SiteInfo(label=site.name, location=location, business_seconds=_counter(calendar))


def locate_site(session: Session, wo: WorkOrder) -> SiteInfo:
    """The site of the work order's asset; without a site record, no coordinates (travel is then
    not counted, and the suggestion says so) and every hour counts."""
    site = wo.asset.site_record or find_site(session=session, code=wo.asset.site)
    if site is None:
        return SiteInfo(label=wo.asset.site, location=None)
    return site_info(site)
