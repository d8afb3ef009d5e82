"""Sites with their address, position, time zone and business calendar (hours and holidays)."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.hours import check_hours
from customers.models import DEFAULT_HOURS, Asset, Site, SiteHoliday
from customers.service import get_customer

# The site code is the ``{site}`` of MQTT topics: no slashes, no MQTT wildcards.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


@functools.cache
def _zones() -> frozenset[str]:
    # Reading the zone database takes about 50 ms: once per process, not once per site.
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    name = name.strip()
    # ZoneInfo also opens file paths such as "../../etc/localtime": accept known keys only.
    if name not in _zones():
        raise InvalidInput(f"{name!r} is not an IANA time zone such as Europe/Zurich")
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise InvalidInput(f"{name!r} is not an IANA time zone such as Europe/Zurich") from None
    return name


def check_position(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput("give both latitude and longitude, or neither")
    if latitude is None or longitude is None:
        return
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise InvalidInput(f"latitude {latitude} is outside -90..90")
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise InvalidInput(f"longitude {longitude} is outside -180..180")


@dataclass(slots=True)
class SiteData:
    code: str
    name: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    timezone: str = "UTC"
    region: str | None = None
    business_hours: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_HOURS))

    def checked(self) -> SiteData:
        code = self.code.strip()
        if not _CODE.match(code):
            raise InvalidInput(
                f"site code {code!r}: letters, digits and . _ : - only (it is the MQTT topic's site)"
            )
        check_position(self.latitude, self.longitude)
        try:
            hours = check_hours(self.business_hours)
        except ValueError as error:
            raise InvalidInput(f"business hours: {error}") from None
        return SiteData(
            code=code,
            name=(self.name or "").strip() or code,
            address=(self.address or "").strip() or None,
            latitude=self.latitude,
            longitude=self.longitude,
            timezone=check_timezone(self.timezone),
            region=(self.region or "").strip() or None,
            business_hours=hours,
        )


def get_site(*, session: Session, site_id: int, customer_id: int | None = None) -> Site:
    """The site; NotFound also when it belongs to another customer than ``customer_id``."""
    row = session.get(Site, site_id)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound(f"no site {site_id}")
    return row


def find_site(*, session: Session, code: str) -> Site | None:
    return session.scalars(sa.select(Site).where(Site.code == code.strip())).first()


def list_sites(*, session: Session, customer_id: int | None = None) -> list[Site]:
    query = sa.select(Site).order_by(Site.code)
    if customer_id is not None:
        query = query.where(Site.customer_id == customer_id)
    return list(session.scalars(query))


def create_site(*, session: Session, customer_id: int, data: SiteData) -> Site:
    """A new site; assets the collector saw under this site code are linked to it."""
    customer = get_customer(session=session, customer_id=customer_id)
    data = data.checked()
    if find_site(session=session, code=data.code) is not None:
        raise Conflict(f"a site with code {data.code!r} exists already")
    row = Site(customer_id=customer.id, **_columns(data))
    session.add(row)
    session.flush()
    for asset in session.scalars(sa.select(Asset).where(Asset.site == row.code)):
        link_asset(asset, row)
    session.flush()
    return row


def link_asset(asset: Asset, site: Site) -> None:
    """Put an asset on a site record: its site code and customer name follow the record."""
    asset.site_id = site.id
    asset.site_record = site
    asset.site = site.code
    asset.customer = site.customer.name


def update_site(*, session: Session, site_id: int, data: SiteData) -> Site:
    row = get_site(session=session, site_id=site_id)
    data = data.checked()
    if data.code != row.code:
        # Telemetry keeps arriving under the old code: renaming would split the asset's history.
        raise InvalidInput(f"a site's code cannot change ({row.code!r}); create a new site")
    for name, value in _columns(data).items():
        setattr(row, name, value)
    session.flush()
    return row


def delete_site(*, session: Session, site_id: int) -> None:
    row = get_site(session=session, site_id=site_id)
    if session.scalar(sa.select(sa.func.count()).where(Asset.site_id == row.id)):
        raise Conflict(f"site {row.code!r} still has assets: move them first")
    session.delete(row)
    session.flush()


def _columns(data: SiteData) -> dict[str, Any]:
    return {
        "code": data.code,
        "name": data.name,
        "address": data.address,
        "latitude": data.latitude,
        "longitude": data.longitude,
        "timezone": data.timezone,
        "region": data.region,
        "business_hours": data.business_hours,
    }


# --- holidays -------------------------------------------------------------------------------------


def set_holiday(
    *, session: Session, site_id: int, day: date, name: str, active: bool = True
) -> SiteHoliday:
    """Add a holiday, or rename / switch on or off the one already on that day."""
    site = get_site(session=session, site_id=site_id)
    name = name.strip()
    if not 0 < len(name) <= 200:
        raise InvalidInput("a holiday needs a name of 1 to 200 characters")
    row = session.scalars(
        sa.select(SiteHoliday).where(SiteHoliday.site_id == site.id, SiteHoliday.day == day)
    ).first()
    if row is None:
        row = SiteHoliday(site_id=site.id, day=day, name=name, active=active)
        session.add(row)
    else:
        row.name, row.active = name, active
    session.flush()
    return row


def delete_holiday(*, session: Session, site_id: int, day: date) -> None:
    row = session.scalars(
        sa.select(SiteHoliday).where(SiteHoliday.site_id == site_id, SiteHoliday.day == day)
    ).first()
    if row is None:
        raise NotFound(f"site {site_id} has no holiday on {day.isoformat()}")
    session.delete(row)
    session.flush()
