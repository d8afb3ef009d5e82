"""The asset records: completing what the collector created on first sight, by hand or import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import Asset, Criticality, Site
from customers.sites import get_site, link_asset


@dataclass(slots=True)
class AssetData:
    """Fields to set; None leaves a field as it is (``clear`` names fields to empty)."""

    site_id: int | None = None
    asset_type: str | None = None
    model: str | None = None
    serial_number: str | None = None
    install_date: date | None = None
    purchased_on: date | None = None
    purchase_value: Decimal | None = None
    criticality: Criticality | None = None
    clear: tuple[str, ...] = ()


def get_asset(*, session: Session, asset_id: int, customer_id: int | None = None) -> Asset:
    """The asset; NotFound also when it is not at a site of ``customer_id``."""
    row = session.get(Asset, asset_id)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound(f"no asset {asset_id}")
    return row


def find_asset(*, session: Session, asset: str, site: str | None = None) -> Asset | None:
    query = sa.select(Asset).where(Asset.asset == asset)
    if site is not None:
        query = query.where(Asset.site == site)
    return session.scalars(query.order_by(Asset.id)).first()


def list_assets(
    *, session: Session, customer_id: int | None = None, site_id: int | None = None
) -> list[Asset]:
    query = sa.select(Asset).order_by(Asset.site, Asset.asset)
    if customer_id is not None:
        query = query.join(Site, Asset.site_id == Site.id).where(Site.customer_id == customer_id)
    if site_id is not None:
        query = query.where(Asset.site_id == site_id)
    return list(session.scalars(query))


def check_serial(*, session: Session, serial: str, asset_id: int | None) -> str:
    serial = serial.strip()
    if not 0 < len(serial) <= 100:
        raise InvalidInput("a serial number has 1 to 100 characters")
    other = session.scalars(sa.select(Asset).where(Asset.serial_number == serial)).first()
    if other is not None and other.id != asset_id:
        raise Conflict(f"serial number {serial!r} is already asset {other.asset!r}'s")
    return serial


def create_asset(
    *, session: Session, site_id: int, asset: str, asset_type: str, data: AssetData, now: datetime
) -> Asset:
    """An asset registered by hand before its gateway ever sent anything."""
    site = get_site(session=session, site_id=site_id)
    asset = asset.strip()
    if not 0 < len(asset) <= 200 or "/" in asset or "+" in asset or "#" in asset:
        raise InvalidInput("an asset name has 1 to 200 characters and no / + # (MQTT topics)")
    if not asset_type.strip():
        raise InvalidInput("an asset needs a type (pump, chiller, elevator, ...)")
    if find_asset(session=session, asset=asset, site=site.code) is not None:
        raise Conflict(f"site {site.code!r} already has an asset {asset!r}")
    row = Asset(
        site=site.code,
        asset=asset,
        asset_type=asset_type.strip(),
        customer=site.customer.name,
        first_seen_at=now,
    )
    link_asset(row, site)
    session.add(row)
    update_asset(session=session, asset_id=None, row=row, data=data)
    return row


def update_asset(
    *, session: Session, asset_id: int | None, data: AssetData, row: Asset | None = None
) -> Asset:
    if row is None:
        if asset_id is None:
            raise NotFound("no asset given")
        row = get_asset(session=session, asset_id=asset_id)
    unknown = set(data.clear) - {
        "model",
        "serial_number",
        "install_date",
        "purchased_on",
        "purchase_value",
    }
    if unknown:
        raise InvalidInput(f"cannot clear {', '.join(sorted(unknown))}")
    if data.site_id is not None and data.site_id != row.site_id:
        site = get_site(session=session, site_id=data.site_id)
        if row.site_id is not None or row.site != site.code:
            # Telemetry arrives under the topic's site code: moving would split its history.
            raise InvalidInput(
                f"asset {row.asset!r} reports under site {row.site!r}: it can only be linked to "
                "the site record with that code"
            )
        link_asset(row, site)
    if data.asset_type is not None:
        row.asset_type = data.asset_type.strip() or row.asset_type
    if data.model is not None:
        row.model = data.model.strip() or None
    if data.serial_number is not None:
        row.serial_number = check_serial(
            session=session, serial=data.serial_number, asset_id=row.id
        )
    if data.install_date is not None:
        row.install_date = data.install_date
    if data.purchased_on is not None:
        row.purchased_on = data.purchased_on
    if data.purchase_value is not None:
        if data.purchase_value < 0:
            raise InvalidInput(f"a purchase value cannot be negative ({data.purchase_value})")
        row.purchase_value = data.purchase_value
    if data.criticality is not None:
        row.criticality = Criticality(data.criticality)
    for name in data.clear:
        setattr(row, name, None)
    session.flush()
    return row


SITE_ASSET = "_site"


def site_asset(*, session: Session, site: Site, now: datetime) -> Asset:
    """The registry row that stands for a whole site, for requests that name no asset (a
    consultation, an inspection of the plant room): work orders always have an asset."""
    found = find_asset(session=session, asset=SITE_ASSET, site=site.code)
    if found is not None:
        return found
    row = Asset(
        site=site.code,
        asset=SITE_ASSET,
        asset_type="site",
        customer=site.customer.name,
        first_seen_at=now,
    )
    link_asset(row, site)
    session.add(row)
    session.flush()
    return row
