"""Customer records: customers with contacts and a tier history, sites with their business
calendars, contracts and their coverage, and the asset registry.

The asset registry (table ``assets``) moved here from ``workorders.models`` (which re-exports
it): contracts cover assets and sites hold them, and this layer sits below work orders. Rows the
collector creates on first sight keep a string site and customer and no ``site_id``; an import or
a service manager completes them later.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from customers.calendar import WEEKDAYS
from customers.db import Base, str_enum


class Tier(enum.StrEnum):
    VIP = "vip"
    STANDARD = "standard"
    BASIC = "basic"


class Criticality(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class TierSource(enum.StrEnum):
    MANUAL = "manual"  # set by hand (API, dashboard, import)
    VALUE_ANALYSIS = "value_analysis"  # set by the reports' customer value (RFM) analysis


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"  # waits for a service manager
    ACCEPTED = "accepted"  # the proposed tier was applied
    OVERRIDDEN = "overridden"  # a service manager chose another tier (or kept the current one)
    SUPERSEDED = "superseded"  # a newer proposal replaced it before anyone decided
    CURRENT = "current"  # the customer already has the proposed tier: nothing to decide
    OVERRIDE_KEPT = "override_kept"  # the same proposal was overridden before: the override holds


class ContractKind(enum.StrEnum):
    WARRANTY = "warranty"
    PAID = "paid"


# Monday to Friday, 08:00-17:00: what a site gets when nobody says otherwise.
DEFAULT_HOURS: dict[str, list[list[str]]] = {
    day: ([["08:00", "17:00"]] if day not in ("sat", "sun") else []) for day in WEEKDAYS
}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The current tier; every change is also a row of customer_tier_changes (who, when, why).
    tier: Mapped[Tier] = mapped_column(str_enum(Tier), default=Tier.STANDARD)
    tier_set_by: Mapped[str] = mapped_column(sa.String(200))
    tier_set_at: Mapped[datetime]
    tier_source: Mapped[TierSource] = mapped_column(str_enum(TierSource, 20))
    created_at: Mapped[datetime]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", order_by="Contact.id", cascade="all, delete-orphan"
    )
    sites: Mapped[list[Site]] = relationship(back_populates="customer", order_by="Site.code")


class CustomerTierChange(Base):
    """Append-only history of a customer's tier."""

    __tablename__ = "customer_tier_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    tier: Mapped[Tier] = mapped_column(str_enum(Tier))
    previous: Mapped[Tier | None] = mapped_column(str_enum(Tier))
    source: Mapped[TierSource] = mapped_column(str_enum(TierSource, 20))
    set_by: Mapped[str] = mapped_column(sa.String(200))
    set_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class TierProposal(Base):
    """A tier proposed for a customer by the monthly value (RFM) analysis, and its decision.

    One row per customer and analysed month. The analysis only proposes: the tier changes when a
    service manager accepts (or overrides), and the change goes to ``customer_tier_changes``.
    """

    __tablename__ = "customer_tier_proposals"
    __table_args__ = (
        sa.UniqueConstraint("customer_id", "period", name="uq_customer_tier_proposals_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(7))  # the analysed month, 2026-11
    proposed: Mapped[Tier] = mapped_column(str_enum(Tier))
    tier_then: Mapped[Tier] = mapped_column(str_enum(Tier))  # the customer's tier when proposed
    value_class: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime]
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, 20))
    decided_by: Mapped[str | None] = mapped_column(sa.String(200))
    decided_at: Mapped[datetime | None]
    decided_tier: Mapped[Tier | None] = mapped_column(str_enum(Tier))
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    role: Mapped[str | None] = mapped_column(sa.String(100))
    # BCP 47 tag (``en``, ``de-CH``): the language of mails to this contact.
    language: Mapped[str] = mapped_column(sa.String(20), default="en")

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Site(Base):
    __tablename__ = "sites"
    __table_args__ = (
        sa.CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        sa.CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    # The site's name in MQTT topics (``vigil/{site}/{asset}/telemetry``) and in assets.site.
    code: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    timezone: Mapped[str] = mapped_column(sa.String(64))  # IANA, e.g. Europe/Zurich
    region: Mapped[str | None] = mapped_column(sa.String(100))
    # {"mon": [["08:00", "17:00"]], ..., "sun": []}, local time of ``timezone``.
    business_hours: Mapped[dict[str, list[list[str]]]] = mapped_column(sa.JSON)

    customer: Mapped[Customer] = relationship(back_populates="sites", lazy="joined", innerjoin=True)
    holidays: Mapped[list[SiteHoliday]] = relationship(
        order_by="SiteHoliday.day", cascade="all, delete-orphan"
    )


class SiteHoliday(Base):
    """A day the site does not work (public holiday, plant shutdown). Inactive rows are kept so a
    seeded holiday that a service manager switched off is not seeded again."""

    __tablename__ = "site_holidays"
    __table_args__ = (sa.UniqueConstraint("site_id", "day", name="uq_site_holidays_site_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date]
    name: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Asset(Base):
    """The asset registry: created on first sight with defaults, then completed by an import or a
    service manager (site record, model, serial number, install date, criticality)."""

    __tablename__ = "assets"
    __table_args__ = (sa.UniqueConstraint("site", "asset", name="uq_assets_site_asset"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(sa.String(200))
    asset: Mapped[str] = mapped_column(sa.String(200))
    asset_type: Mapped[str] = mapped_column(sa.String(100))
    customer: Mapped[str] = mapped_column(sa.String(200))
    # Kept for assets without a site record; once linked, the customer record's tier rules.
    customer_tier: Mapped[Tier] = mapped_column(str_enum(Tier), default=Tier.STANDARD)
    criticality: Mapped[Criticality] = mapped_column(
        str_enum(Criticality), default=Criticality.MEDIUM
    )
    first_seen_at: Mapped[datetime]
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id"), index=True)
    model: Mapped[str | None] = mapped_column(sa.String(200))
    serial_number: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    install_date: Mapped[date | None]
    # The sale of the equipment (for the customer value analysis), when known.
    purchased_on: Mapped[date | None]
    purchase_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))

    # selectin, not joined: work-order queries lock rows FOR UPDATE, which PostgreSQL refuses on
    # the nullable side of an outer join.
    site_record: Mapped[Site | None] = relationship(lazy="selectin")

    @property
    def customer_id(self) -> int | None:
        return self.site_record.customer_id if self.site_record is not None else None

    @property
    def tier(self) -> Tier:
        """The tier SLAs use: the customer record's when the asset is linked to a site."""
        if self.site_record is not None:
            return self.site_record.customer.tier
        return self.customer_tier


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[ContractKind] = mapped_column(str_enum(ContractKind))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The SLA plan's name (the SLA plans are work-order records, above this layer).
    sla_plan: Mapped[str | None] = mapped_column(sa.String(100))
    # True: every asset of the customer; False: only the assets in contract_assets.
    all_assets: Mapped[bool] = mapped_column(default=True)
    # What the contract does not cover: request categories (``consultation``) or free words.
    exclusions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # What the customer pays over the whole term (for the customer value analysis), when known.
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(lazy="joined", innerjoin=True)
    assets: Mapped[list[Asset]] = relationship(secondary="contract_assets", order_by="Asset.id")

    @property
    def asset_ids(self) -> list[int]:
        return [] if self.all_assets else [a.id for a in self.assets]


class ContractAsset(Base):
    __tablename__ = "contract_assets"

    contract_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contracts.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value (for audit and change records)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
