"""Pydantic schemas of the customer records: what the API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from customers.models import DEFAULT_HOURS, ContractKind, Criticality, Tier, TierSource

# A record id the databases' INTEGER holds: larger numbers are refused (422), not a 500.
RecordId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Ada Meier"])
    phone: str | None = Field(None, max_length=50, examples=["+41 44 123 45 67"])
    email: str | None = Field(None, max_length=254, examples=["ada@acme.example"])
    role: str | None = Field(None, max_length=100, examples=["facility manager"])
    language: str = Field("en", max_length=20, examples=["de-CH"])


class ContactRead(_Read):
    id: int
    name: str
    phone: str | None
    email: str | None
    role: str | None
    language: str


class CustomerCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["ACME Water"])
    tier: Tier = Tier.STANDARD
    contacts: list[ContactIn] = Field(default_factory=list, max_length=100)


class CustomerUpdate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class TierIn(BaseModel):
    tier: Tier
    reason: str | None = Field(None, max_length=500, examples=["signed the gold contract"])
    source: TierSource = TierSource.MANUAL


class CustomerRead(_Read):
    id: int
    name: str
    tier: Tier
    tier_set_by: str
    tier_set_at: datetime
    tier_source: TierSource
    created_at: datetime
    contacts: list[ContactRead]


class TierChangeRead(_Read):
    tier: Tier
    previous: Tier | None
    source: TierSource
    set_by: str
    set_at: datetime
    reason: str | None


class SiteIn(BaseModel):
    code: str = Field(min_length=1, max_length=200, examples=["plant-north"])
    name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    timezone: str = Field("UTC", max_length=64, examples=["Europe/Zurich"])
    region: str | None = Field(None, max_length=100)
    business_hours: dict[str, list[list[str]]] = Field(
        default_factory=lambda: {d: [list(s) for s in v] for d, v in DEFAULT_HOURS.items()},
        examples=[{"mon": [["08:00", "17:00"]], "sat": [], "sun": []}],
    )


class SiteCreate(SiteIn):
    customer_id: RecordId


class HolidayIn(BaseModel):
    day: date
    name: str = Field(min_length=1, max_length=200, examples=["Swiss National Day"])
    active: bool = True


class HolidayRead(_Read):
    day: date
    name: str
    active: bool


class SiteRead(_Read):
    id: int
    customer_id: int
    code: str
    name: str
    address: str | None
    latitude: float | None
    longitude: float | None
    timezone: str
    region: str | None
    business_hours: dict[str, list[list[str]]]
    holidays: list[HolidayRead]


class ContractIn(BaseModel):
    number: str = Field(min_length=1, max_length=64, examples=["SC-2026-014"])
    kind: ContractKind
    starts_on: date
    ends_on: date
    sla_plan: str | None = Field(None, max_length=100, examples=["gold"])
    all_assets: bool = True
    asset_ids: list[RecordId] = Field(default_factory=list, max_length=10_000)
    exclusions: list[str] = Field(
        default_factory=list, max_length=100, examples=[["consultation", "vandalism"]]
    )
    # What the customer pays over the whole term (any one currency, used throughout).
    value: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, examples=["48000.00"]
    )


class ContractCreate(ContractIn):
    customer_id: RecordId


class ContractRead(_Read):
    id: int
    customer_id: int
    number: str
    kind: ContractKind
    starts_on: date
    ends_on: date
    sla_plan: str | None
    all_assets: bool
    asset_ids: list[int]
    exclusions: list[str]
    value: Decimal | None = None
    created_at: datetime


class AssetCreate(BaseModel):
    site_id: RecordId
    asset: str = Field(min_length=1, max_length=200, examples=["pump-17"])
    asset_type: str = Field(min_length=1, max_length=100, examples=["pump"])
    model: str | None = Field(None, max_length=200)
    serial_number: str | None = Field(None, max_length=100)
    install_date: date | None = None
    purchased_on: date | None = None
    purchase_value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    criticality: Criticality = Criticality.MEDIUM


class AssetUpdate(BaseModel):
    """Fields to set; absent fields stay as they are, ``clear`` names fields to empty."""

    site_id: RecordId | None = None
    asset_type: str | None = Field(None, min_length=1, max_length=100)
    model: str | None = Field(None, max_length=200)
    serial_number: str | None = Field(None, max_length=100)
    install_date: date | None = None
    purchased_on: date | None = None
    purchase_value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    criticality: Criticality | None = None
    clear: list[str] = Field(default_factory=list, examples=[["serial_number"]])


class AssetRead(_Read):
    id: int
    site: str
    asset: str
    asset_type: str
    customer: str
    site_id: int | None
    customer_id: int | None
    tier: Tier
    criticality: Criticality
    model: str | None
    serial_number: str | None
    install_date: date | None
    purchased_on: date | None = None
    purchase_value: Decimal | None = None
    first_seen_at: datetime
