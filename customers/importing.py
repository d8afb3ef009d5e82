"""Customers (with sites and contacts) and assets from CSV files: every bad line named, nothing
imported when one is bad.

Each line is applied through the same services as the API, inside a savepoint, so a line is
checked exactly as a single change would be (a serial number taken by an earlier line or by the
database, a site code of another customer); the caller commits only when no line failed.

``vigil customers import`` columns (a header line first; empty cells keep the default)::

    customer,tier,site,site_name,address,latitude,longitude,timezone,region,hours,holidays,contact_name,contact_phone,contact_email,contact_role,contact_language
    ACME Water,vip,plant-a,Pumping station,Seestrasse 1,47.37,8.54,Europe/Zurich,north,mon-fri 07:00-18:00,2026-08-01 National Day,Ada Meier,+41 44 1,ada@acme.example,facility manager,de-CH

``hours`` is the text form of ``customers.hours`` (empty: Monday-Friday 08:00-17:00, ``24x7``
around the clock); ``holidays`` are ``YYYY-MM-DD name`` separated by ``;``.

``vigil assets import`` columns::

    site,asset,asset_type,model,serial_number,install_date,criticality
    plant-a,pump-1,pump,KSB Etanorm 65-200,KSB-2019-004417,2019-05-14,high
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers import assets, service, sites
from customers.errors import RecordError
from customers.hours import parse_hours
from customers.models import Contact, Criticality, Tier

CUSTOMER_COLUMNS = (
    "customer", "tier", "site", "site_name", "address", "latitude", "longitude", "timezone",
    "region", "hours", "holidays", "contact_name", "contact_phone", "contact_email",
    "contact_role", "contact_language",
)  # fmt: skip
ASSET_COLUMNS = (
    "site", "asset", "asset_type", "model", "serial_number", "install_date", "criticality",
)  # fmt: skip
IMPORTER = "import"
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRefused(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} bad line(s), nothing imported")


@dataclass(frozen=True, slots=True)
class Imported:
    lines: int
    created: int
    updated: int


def _rows(
    text: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or []) - set(columns))
    missing = sorted(set(required) - set(reader.fieldnames or []))
    if not reader.fieldnames or unknown or missing:
        what = (
            f"unknown column(s) {', '.join(unknown)}"
            if unknown
            else f"missing column(s) {', '.join(missing)}"
            if missing
            else "no header line"
        )
        raise ImportRefused([LineError(1, f"{what}; columns: {','.join(columns)}")])
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _run(
    *,
    session: Session,
    text: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    apply: Callable[[dict[str, str]], bool],
    progress: Progress | None,
) -> Imported:
    rows = list(_rows(text, columns, required))
    errors: list[LineError] = []
    created = updated = 0
    for done, (line, row) in enumerate(rows, start=1):
        absent = [c for c in required if not row.get(c)]
        if absent:
            errors.append(LineError(line, f"empty {', '.join(absent)}"))
            continue
        try:
            with session.begin_nested():
                if apply(row):
                    created += 1
                else:
                    updated += 1
        except (RecordError, ValueError) as error:
            errors.append(LineError(line, str(error)))
        if progress is not None:
            progress(done, len(rows))
    if errors:
        raise ImportRefused(errors)
    return Imported(lines=len(rows), created=created, updated=updated)


def _float(row: dict[str, str], name: str) -> float | None:
    if not row.get(name):
        return None
    try:
        return float(row[name])
    except ValueError:
        raise ValueError(f"{name} {row[name]!r} is not a number") from None


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date YYYY-MM-DD") from None


def import_customers(
    *, session: Session, text: str, now: datetime, progress: Progress | None = None
) -> Imported:
    """Customers, their sites (created or updated) and contacts; ImportRefused names bad lines."""

    def apply(row: dict[str, str]) -> bool:
        tier = _tier(row.get("tier", ""))
        customer = service.find_customer(session=session, name=row["customer"])
        created = customer is None
        if customer is None:
            customer = service.create_customer(
                session=session,
                name=row["customer"],
                tier=tier or Tier.STANDARD,
                actor=IMPORTER,
                now=now,
            )
        elif tier is not None:
            service.set_tier(
                session=session, customer_id=customer.id, tier=tier, actor=IMPORTER, now=now
            )
        if row.get("site"):
            _site(session, customer.id, row)
        if row.get("contact_name"):
            _contact(session, customer.id, row)
        return created

    return _run(
        session=session,
        text=text,
        columns=CUSTOMER_COLUMNS,
        required=("customer",),
        apply=apply,
        progress=progress,
    )


def _site(session: Session, customer_id: int, row: dict[str, str]) -> None:
    data = sites.SiteData(
        code=row["site"],
        name=row.get("site_name") or None,
        address=row.get("address") or None,
        latitude=_float(row, "latitude"),
        longitude=_float(row, "longitude"),
        timezone=row.get("timezone") or "UTC",
        region=row.get("region") or None,
        business_hours=parse_hours(row.get("hours", "")),
    )
    site = sites.find_site(session=session, code=data.code)
    if site is not None and site.customer_id != customer_id:
        raise ValueError(f"site {data.code!r} belongs to customer {site.customer.name!r}")
    if site is None:
        site = sites.create_site(session=session, customer_id=customer_id, data=data)
    else:
        sites.update_site(session=session, site_id=site.id, data=data)
    for part in filter(None, (p.strip() for p in row.get("holidays", "").split(";"))):
        day, _, name = part.partition(" ")
        sites.set_holiday(
            session=session, site_id=site.id, day=_day(day, "holiday"), name=name or day
        )


def _contact(session: Session, customer_id: int, row: dict[str, str]) -> None:
    data = service.ContactData(
        name=row["contact_name"],
        phone=row.get("contact_phone") or None,
        email=row.get("contact_email") or None,
        role=row.get("contact_role") or None,
        language=row.get("contact_language") or "en",
    )
    same = session.scalars(
        sa.select(Contact).where(Contact.customer_id == customer_id, Contact.name == data.name)
    ).first()
    if same is None:
        service.add_contact(session=session, customer_id=customer_id, contact=data)
    else:
        service.update_contact(
            session=session, contact_id=same.id, customer_id=customer_id, contact=data
        )


def import_assets(
    *, session: Session, text: str, now: datetime, progress: Progress | None = None
) -> Imported:
    """Asset records: new ones registered, those seen on the wire completed; ImportRefused names
    each bad line (unknown site, serial number taken, bad date or criticality, ...)."""

    def apply(row: dict[str, str]) -> bool:
        site = sites.find_site(session=session, code=row["site"])
        if site is None:
            raise ValueError(f"unknown site {row['site']!r}: import it with vigil customers import")
        data = assets.AssetData(
            asset_type=row.get("asset_type") or None,
            model=row.get("model") or None,
            serial_number=row.get("serial_number") or None,
            install_date=_day(row["install_date"], "install_date")
            if row.get("install_date")
            else None,
            criticality=_criticality(row.get("criticality", "")),
        )
        found = assets.find_asset(session=session, asset=row["asset"], site=site.code)
        if found is None:
            if not row.get("asset_type"):
                raise ValueError(f"new asset {row['asset']!r} needs an asset_type")
            assets.create_asset(
                session=session,
                site_id=site.id,
                asset=row["asset"],
                asset_type=row["asset_type"],
                data=data,
                now=now,
            )
            return True
        data.site_id = site.id
        assets.update_asset(session=session, asset_id=found.id, data=data)
        return False

    return _run(
        session=session,
        text=text,
        columns=ASSET_COLUMNS,
        required=("site", "asset"),
        apply=apply,
        progress=progress,
    )


def _tier(text: str) -> Tier | None:
    if not text:
        return None
    try:
        return Tier(text.lower())
    except ValueError:
        raise ValueError(f"tier {text!r}: use vip, standard or basic") from None


def _criticality(text: str) -> Criticality | None:
    if not text:
        return None
    try:
        return Criticality(text.lower())
    except ValueError:
        raise ValueError(f"criticality {text!r}: use high, medium or low") from None
