"""The organisation a history happens to: customers, sites, contracts, assets, engineers, parts.

Everything is drawn from one seeded ``random.Random``, so the same seed and sizes give the same
organisation. Records are plain dicts in the shape of the files (see ``simulators.history``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from simulators.history import catalog
from simulators.history.catalog import REGIONS, AssetType, Model, Region
from simulators.history.timing import AROUND_THE_CLOCK, EXTENDED, OFFICE, iso

Record = dict[str, Any]
ASSETS_PER_ENGINEER = 60
ASSETS_PER_SITE = 8
SITES_PER_CUSTOMER = 3
# What one asset of each type sells for (EUR), before the spread between models and options.
PRICES = {"elevator": 45_000.0, "chiller": 80_000.0, "pump": 12_000.0, "air_compressor": 20_000.0}


@dataclass(slots=True)
class EngineerTraits:
    """What makes one engineer's figures differ from another's."""

    code: str
    region: str
    types: dict[str, int]  # asset type -> skill level 1-3
    speed: float  # multiplies response and travel delays
    first_fix: float  # chance a repair holds at the first visit
    repeat: float  # chance the fault comes back within 30 days
    manner: float  # added to survey scores
    writes_kb: float
    uses_kb: float


@dataclass(slots=True)
class AssetInfo:
    key: str
    site: str
    region: Region
    kind: AssetType
    model: Model
    tier: str
    zone: str
    hours: dict[str, list[list[str]]]
    customer: str
    installed: date


@dataclass(slots=True)
class Fleet:
    customers: list[Record] = field(default_factory=list)
    sites: list[Record] = field(default_factory=list)
    contracts: list[Record] = field(default_factory=list)
    assets: list[Record] = field(default_factory=list)
    engineers: list[Record] = field(default_factory=list)
    parts: list[Record] = field(default_factory=list)
    warehouses: list[Record] = field(default_factory=list)
    plans: list[Record] = field(default_factory=list)  # preventive plans, per asset
    info: list[AssetInfo] = field(default_factory=list)
    traits: dict[str, EngineerTraits] = field(default_factory=dict)
    # Contract coverage by customer key: (starts_on, ends_on, kind).
    coverage: dict[str, list[tuple[date, date, str]]] = field(default_factory=dict)


def _weighted(
    rng: random.Random, pairs: tuple[tuple[Any, float], ...] | list[tuple[Any, float]]
) -> Any:
    items = [p[0] for p in pairs]
    return rng.choices(items, weights=[p[1] for p in pairs])[0]


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(catalog.FIRST_NAMES), rng.choice(catalog.LAST_NAMES)


def _slug(text: str) -> str:
    return "".join(c for c in text.lower().replace(" ", "") if c.isalnum())


def build_fleet(rng: random.Random, *, assets: int, start: datetime, end: datetime) -> Fleet:
    """An organisation of about ``assets`` assets, in force from before ``start`` to ``end``."""
    fleet = Fleet()
    n_sites = max(2, round(assets / ASSETS_PER_SITE))
    n_customers = max(1, round(n_sites / SITES_PER_CUSTOMER))
    names: set[str] = set()
    regions_of: list[Region] = []
    for i in range(n_customers):
        region = REGIONS[i % len(REGIONS)] if i < len(REGIONS) else rng.choice(REGIONS)
        regions_of.append(region)
        name = f"{rng.choice(catalog.COMPANY_WORDS)} {rng.choice(catalog.COMPANY_KINDS)}"
        while name in names:
            name = f"{name} {region.cities[len(names) % len(region.cities)]}"
        names.add(name)
        tier = _weighted(rng, (("vip", 0.15), ("standard", 0.55), ("basic", 0.30)))
        key = f"C{i + 1:05d}"
        contacts = []
        for role in ("facility manager", "maintenance lead")[: 1 + (tier != "basic")]:
            first, last = _person(rng)
            contacts.append(
                {
                    "name": f"{first} {last}",
                    "email": f"{_slug(first)}.{_slug(last)}@{_slug(name)}.example",
                    "phone": f"+{rng.randint(30, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    "role": role,
                    "language": region.language,
                }
            )
        fleet.customers.append(
            {
                "key": key,
                "name": name,
                "tier": tier,
                "region": region.name,
                "created_at": iso(start - timedelta(days=rng.randint(200, 3000))),
                "contacts": contacts,
            }
        )
    _contracts(rng, fleet, start=start, end=end)
    _sites_and_assets(rng, fleet, regions_of, n_sites=n_sites, assets=assets, start=start, end=end)
    _engineers(rng, fleet, start=start)
    _parts(fleet)
    return fleet


def _contracts(rng: random.Random, fleet: Fleet, *, start: datetime, end: datetime) -> None:
    plans = {"vip": "gold", "standard": "silver", "basic": None}
    number = 0
    per_job = False
    for customer in fleet.customers:
        key, tier = customer["key"], customer["tier"]
        fleet.coverage[key] = []
        # Most basic customers pay per job; the first one always does, so that every history,
        # however small, has billed work.
        if tier == "basic" and (not per_job or rng.random() < 0.6):
            per_job = True
            continue
        first = (start - timedelta(days=rng.randint(30, 330))).date()
        value = {"vip": 60_000.0, "standard": 18_000.0, "basic": 6_000.0}[tier]
        value = round(value * math.exp(rng.gauss(0, 0.35)), -2)
        # A few customers do not renew: the value analysis should find them lost.
        churns = rng.random() < 0.08
        starts = first
        while starts <= end.date():
            number += 1
            ends = starts + timedelta(days=364)
            fleet.contracts.append(
                {
                    "number": f"SC-{starts.year}-{number:05d}",
                    "customer": key,
                    "kind": "paid",
                    "starts_on": starts.isoformat(),
                    "ends_on": ends.isoformat(),
                    "sla_plan": plans[tier],
                    "value": value,
                }
            )
            fleet.coverage[key].append((starts, ends, "paid"))
            if churns:
                break
            starts = ends + timedelta(days=1)
            value = round(value * rng.uniform(0.97, 1.08), -2)


# The spread of customers' sizes: a Pareto shape near the "80/20" rule's 1.16, so that a few
# customers own many sites and most own one or two, as in a real customer base (with every
# customer the same size, any fixed value band would class nearly all or none as high value).
SIZE_SHAPE = 1.2


def _owners(rng: random.Random, *, n_sites: int, n_customers: int) -> list[int]:
    """The customer of each site: one site each, the others drawn by heavy-tailed sizes."""
    sizes = [rng.paretovariate(SIZE_SHAPE) for _ in range(n_customers)]
    extra = rng.choices(range(n_customers), weights=sizes, k=n_sites - n_customers)
    return list(range(n_customers)) + extra


def _sites_and_assets(
    rng: random.Random,
    fleet: Fleet,
    regions_of: list[Region],
    *,
    n_sites: int,
    assets: int,
    start: datetime,
    end: datetime,
) -> None:
    types = [(t, t.share) for t in catalog.ASSET_TYPES]
    per_site = [assets // n_sites + (1 if i < assets % n_sites else 0) for i in range(n_sites)]
    owner = _owners(rng, n_sites=n_sites, n_customers=len(fleet.customers))
    serial = 0
    warranty = 0
    for i in range(n_sites):
        c = owner[i]
        customer, region = fleet.customers[c], regions_of[c]
        city = rng.choice(region.cities)
        kind = rng.choice(catalog.SITE_KINDS)
        hours = (
            AROUND_THE_CLOCK
            if customer["tier"] == "vip" and rng.random() < 0.5
            else EXTENDED
            if rng.random() < 0.25
            else OFFICE
        )
        code = f"{_slug(region.name)[:3]}-{i + 1:04d}"
        fleet.sites.append(
            {
                "code": code,
                "customer": customer["key"],
                "name": f"{customer['name']} {city} {kind}",
                "address": f"{rng.randint(1, 200)} {rng.choice(catalog.LAST_NAMES)} street, {city}",
                "latitude": round(region.latitude + rng.gauss(0, 0.25), 5),
                "longitude": round(region.longitude + rng.gauss(0, 0.35), 5),
                "timezone": region.timezone,
                "region": region.name,
                "business_hours": hours,
            }
        )
        for _ in range(per_site[i]):
            serial += 1
            kind_t: AssetType = _weighted(rng, types)
            model = rng.choice(kind_t.models)
            # Most equipment is years old; some is installed during the history (new
            # installations get their first follow-up visit and a warranty).
            new = rng.random() < 0.04
            installed = (
                (start + (end - start) * rng.random()).date()
                if new
                else (start - timedelta(days=rng.randint(90, 4000))).date()
            )
            key = f"{kind_t.name.replace('_', '-')}-{serial:05d}"
            fleet.assets.append(
                {
                    "site": code,
                    "asset": key,
                    "asset_type": kind_t.name,
                    "model": model.name,
                    "serial_number": f"SN{serial:07d}",
                    "install_date": installed.isoformat(),
                    "criticality": _weighted(rng, (("high", 0.2), ("medium", 0.6), ("low", 0.2))),
                    "purchased_on": installed.isoformat(),
                    "purchase_value": round(PRICES[kind_t.name] * math.exp(rng.gauss(0, 0.25)), -2),
                }
            )
            if new or (start.date() - installed).days < 700:
                warranty += 1
                fleet.contracts.append(
                    {
                        "number": f"W-{installed.year}-{warranty:05d}",
                        "customer": customer["key"],
                        "kind": "warranty",
                        "starts_on": installed.isoformat(),
                        "ends_on": (installed + timedelta(days=730)).isoformat(),
                        "sla_plan": None,
                        "value": 0.0,
                        "assets": [key],
                    }
                )
            fleet.info.append(
                AssetInfo(
                    key=key,
                    site=code,
                    region=region,
                    kind=kind_t,
                    model=model,
                    tier=customer["tier"],
                    zone=region.timezone,
                    hours=hours,
                    customer=customer["key"],
                    installed=installed,
                )
            )


def _engineers(rng: random.Random, fleet: Fleet, *, start: datetime) -> None:
    by_region: dict[str, int] = {}
    for info in fleet.info:
        by_region[info.region.name] = by_region.get(info.region.name, 0) + 1
    codes: set[str] = set()
    types = [t.name for t in catalog.ASSET_TYPES]
    for region in REGIONS:
        count = by_region.get(region.name, 0)
        if not count:
            continue
        team = max(2, math.ceil(count / ASSETS_PER_ENGINEER))
        for j in range(team):
            first, last = _person(rng)
            code = f"{first[0].lower()}.{_slug(last)}"
            while code in codes:
                code = f"{code}{len(codes) % 10}"
            codes.add(code)
            senior = rng.random() < region.seniority
            level = "senior" if senior else rng.choice(("mid", "junior"))
            skill = {"senior": 3, "mid": 2, "junior": 1}[level]
            # Two or three asset types each; the first engineers of a region cover every type.
            mine = [types[(j + k) % len(types)] for k in range(2 + (j % 2))]
            if j < 2:
                mine = types
            fleet.engineers.append(
                {
                    "code": code,
                    "name": f"{first} {last}",
                    "email": f"{code}@service.example",
                    "phone": f"+{rng.randint(30, 49)} 7{rng.randint(10, 99)} {rng.randint(100000, 999999)}",
                    "level": level,
                    "region": region.name,
                    "base_label": f"{rng.choice(region.cities)} depot",
                    "latitude": round(region.latitude + rng.gauss(0, 0.15), 5),
                    "longitude": round(region.longitude + rng.gauss(0, 0.2), 5),
                    "time_zone": region.timezone,
                    "working_hours": OFFICE,
                    "max_open_jobs": {"senior": 8, "mid": 6, "junior": 4}[level],
                    "skills": [
                        {"asset_type": t, "fault_code": "*", "level": max(1, skill - (k > 1))}
                        for k, t in enumerate(mine)
                    ],
                    "created_at": iso(start - timedelta(days=rng.randint(60, 2000))),
                }
            )
            base = {"senior": 0.9, "mid": 0.8, "junior": 0.68}[level]
            fleet.traits[code] = EngineerTraits(
                code=code,
                region=region.name,
                types={t: max(1, skill - (k > 1)) for k, t in enumerate(mine)},
                speed=math.exp(rng.gauss(0, 0.25)),
                first_fix=min(0.97, max(0.5, base + rng.gauss(0, 0.05))),
                repeat=min(0.25, max(0.01, (1 - base) * 0.45 + rng.gauss(0, 0.02))),
                manner=rng.gauss(0, 0.35),
                writes_kb=rng.choice((0.0, 0.02, 0.04, 0.08, 0.12)),
                uses_kb=rng.uniform(0.1, 0.6),
            )


def _parts(fleet: Fleet) -> None:
    for number, name, types, _faults, cost in catalog.PARTS:
        fleet.parts.append(
            {"part_number": number, "name": name, "asset_types": list(types), "unit_cost": cost}
        )
    for region in REGIONS:
        if any(e["region"] == region.name for e in fleet.engineers):
            code = f"WH-{_slug(region.name)[:3].upper()}"
            fleet.warehouses.append(
                {"code": code, "name": f"{region.name} central store", "kind": "central",
                 "engineer": None, "region": region.name}
            )  # fmt: skip
    for engineer in fleet.engineers:
        fleet.warehouses.append(
            {
                "code": f"VAN-{engineer['code']}",
                "name": f"Van of {engineer['name']}",
                "kind": "van",
                "engineer": engineer["code"],
                "region": engineer["region"],
            }
        )
