"""The asset registry: every asset Vigil has seen, with the customer data priority and SLA need.

Rows are created on first sight with defaults (customer = site, standard tier, medium
criticality) and edited by service managers. When a site record with the topic's site code
exists, a new row is linked to it at once (customer and tier then come from the records); the
asset records themselves are ``customers.assets``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customers.sites import find_site, link_asset
from workorders.errors import NotFound
from workorders.models import Asset, Criticality, Tier


def ensure_asset(
    *, session: Session, site: str, asset: str, asset_type: str, now: datetime
) -> Asset:
    """The registry row of an asset, created on first sight with default customer data."""
    query = sa.select(Asset).where(Asset.site == site, Asset.asset == asset)
    found = session.scalars(query).first()
    if found is not None:
        return found
    row = Asset(
        site=site,
        asset=asset,
        asset_type=asset_type,
        customer=site,
        customer_tier=Tier.STANDARD,
        criticality=Criticality.MEDIUM,
        first_seen_at=now,
    )
    site_record = find_site(session=session, code=site)
    if site_record is not None:
        link_asset(row, site_record)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another transaction registered it first
        return session.scalars(query).one()
    return row


def update_asset(
    *,
    session: Session,
    site: str,
    asset: str,
    customer: str | None = None,
    customer_tier: Tier | None = None,
    criticality: Criticality | None = None,
) -> Asset:
    row = session.scalars(sa.select(Asset).where(Asset.site == site, Asset.asset == asset)).first()
    if row is None:
        raise NotFound(f"no asset {asset!r} at site {site!r}")
    if customer is not None:
        row.customer = customer
    if customer_tier is not None:
        row.customer_tier = customer_tier
    if criticality is not None:
        row.criticality = criticality
    session.flush()
    return row


def list_assets(*, session: Session, site: str | None = None) -> list[Asset]:
    query = sa.select(Asset).order_by(Asset.site, Asset.asset)
    if site is not None:
        query = query.where(Asset.site == site)
    return list(session.scalars(query))
