"""Where a work order's site is, and how its business time is counted, for dispatch.

The dispatch flows take a :data:`Locate` function, so tests and other callers can give sites of
their own; :func:`locate_site` is the one the service uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from field.dispatch import BusinessSeconds, wall_seconds
from field.geo import GeoPoint
from workorders.models import WorkOrder


@dataclass(frozen=True, slots=True)
class SiteInfo:
    label: str
    location: GeoPoint | None
    business_seconds: BusinessSeconds = wall_seconds


Locate = Callable[[Session, WorkOrder], SiteInfo]


def locate_site(session: Session, wo: WorkOrder) -> SiteInfo:
    """The site of the work order's asset. The asset registry keeps only the site's name so far,
    without coordinates: travel is then not counted (the suggestion says so)."""
    return SiteInfo(label=wo.asset.site, location=None)
