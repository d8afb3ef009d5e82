"""Loading a history's organisation: SLA plans, customers, sites, contracts, assets, engineers,
parts and warehouses, and the knowledge base.

The few hundred customers, sites, engineers, parts, warehouses and articles go through their
domain services (the same checks as the API). Assets and contracts, tens of thousands on a large
fleet, are bulk inserts of rows the services would have written: the same unique keys and CHECK
constraints hold in the database, and each asset is linked to its site record as
``customers.sites.link_asset`` links it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import knowledge.service as kb
from customers import service as customers
from customers import sites
from customers.models import Asset, Contract, ContractAsset, ContractKind, Criticality, Tier
from field.models import EngineerLevel
from field.schemas import BaseIn, EngineerCreate, SkillIn
from field.service import create_engineer
from field.stock import catalogue
from field.stock.models import PartCreate, WarehouseCreate, WarehouseKind
from knowledge.models import ArticleCreate, ArticleStatus
from simulators.history import read, timing
from vigil.history import bulk
from workorders.models import Priority
from workorders.sla import plans
from workorders.sla.models import PlanIn, TargetIn

ACTOR = "history import"
# Contract plans of the generated history, as shares of the default plan's targets.
PLAN_SHARES = {"gold": 0.5, "silver": 0.8}


@dataclass(slots=True)
class AssetRef:
    id: int
    site: str
    asset: str
    asset_type: str
    site_id: int
    customer_id: int
    tier: Tier
    criticality: Criticality


@dataclass(slots=True)
class Keys:
    """Database ids of the history's records, by the keys the files use."""

    customers: dict[str, int] = field(default_factory=dict)
    customer_names: dict[int, str] = field(default_factory=dict)
    contacts: dict[int, dict[str, int]] = field(default_factory=dict)  # customer id -> name -> id
    sites: dict[str, int] = field(default_factory=dict)
    site_records: dict[str, dict[str, Any]] = field(default_factory=dict)
    assets: dict[str, AssetRef] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)
    engineers: dict[str, int] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    part_costs: dict[str, float] = field(default_factory=dict)
    warehouses: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    plans: dict[str, int] = field(default_factory=dict)
    # Contracts in force, by customer id: (starts_on, ends_on, kind, plan name, asset ids or None).
    coverage: dict[int, list[tuple[date, date, str, str | None, set[int] | None]]] = field(
        default_factory=dict
    )


def ensure_plans(*, session: Session, names: set[str], now: datetime) -> dict[str, int]:
    """The SLA plans the contracts name, created from the default plan's targets when missing."""
    found: dict[str, int] = {}
    default = plans.default_plan(session=session)
    found[default.name] = default.id
    for name in sorted(names):
        existing = plans.plan_named(session=session, name=name)
        if existing.name == name:
            found[name] = existing.id
            continue
        share = PLAN_SHARES.get(name, 1.0)
        targets = [
            TargetIn(
                priority=p,
                customer_tier=t,
                respond_min=max(15, round(r * share)),
                on_site_min=max(15, round(o * share)),
                resolve_min=max(15, round(x * share)),
            )
            for (p, t), (r, o, x) in plans.DEFAULT_TARGETS.items()
        ]
        created = plans.create_plan(
            session=session,
            data=PlanIn(
                name=name,
                description=f"Contract plan '{name}' ({share:.0%} of the default targets)",
                around_the_clock=[Priority.URGENT],
                targets=targets,
            ),
            actor=ACTOR,
            now=now,
        )
        found[name] = created.id
    return found


def load_customers(*, session: Session, directory: Path, keys: Keys) -> None:
    for record in read(directory, "customers"):
        row = customers.create_customer(
            session=session,
            name=record["name"],
            tier=Tier(record["tier"]),
            contacts=[customers.ContactData(**c) for c in record["contacts"]],
            actor=ACTOR,
            now=timing.parse(record["created_at"]),
        )
        keys.customers[record["key"]] = row.id
        keys.customer_names[row.id] = row.name
        keys.contacts[row.id] = {c.name: c.id for c in row.contacts}
    for record in read(directory, "sites"):
        site = sites.create_site(
            session=session,
            customer_id=keys.customers[record["customer"]],
            data=sites.SiteData(
                code=record["code"],
                name=record["name"],
                address=record["address"],
                latitude=record["latitude"],
                longitude=record["longitude"],
                timezone=record["timezone"],
                region=record["region"],
                business_hours=record["business_hours"],
            ),
        )
        keys.sites[record["code"]] = site.id
        keys.site_records[record["code"]] = record


def load_assets(*, session: Session, directory: Path, keys: Keys, now: datetime) -> None:
    tiers = {keys.customers[c["key"]]: Tier(c["tier"]) for c in read(directory, "customers")}
    site_customer = {code: keys.customers[r["customer"]] for code, r in keys.site_records.items()}
    rows = []
    for record in read(directory, "assets"):
        customer_id = site_customer[record["site"]]
        rows.append(
            {
                "site": record["site"],
                "asset": record["asset"],
                "asset_type": record["asset_type"],
                "customer": keys.customer_names[customer_id],
                "customer_tier": tiers[customer_id].value,
                "criticality": record["criticality"],
                "first_seen_at": datetime.fromisoformat(record["install_date"] + "T00:00:00+00:00"),
                "site_id": keys.sites[record["site"]],
                "model": record["model"],
                "serial_number": record["serial_number"],
                "install_date": date.fromisoformat(record["install_date"]),
                "purchased_on": date.fromisoformat(record["purchased_on"]),
                "purchase_value": Decimal(str(record["purchase_value"])),
            }
        )
    bulk.insert(session, Asset, rows)
    wanted = set(keys.sites.values())
    for row in session.execute(
        sa.select(Asset.id, Asset.site, Asset.asset, Asset.asset_type, Asset.site_id,
                  Asset.criticality).where(Asset.site_id.in_(wanted))
    ):  # fmt: skip
        customer_id = site_customer[row.site]
        keys.assets[row.asset] = AssetRef(
            id=row.id,
            site=row.site,
            asset=row.asset,
            asset_type=row.asset_type,
            site_id=row.site_id,
            customer_id=customer_id,
            tier=tiers[customer_id],
            criticality=Criticality(row.criticality),
        )
    _ = now


def load_contracts(*, session: Session, directory: Path, keys: Keys, now: datetime) -> None:
    records = read(directory, "contracts")
    keys.plans = ensure_plans(
        session=session, names={r["sla_plan"] for r in records if r["sla_plan"]}, now=now
    )
    rows = [
        {
            "customer_id": keys.customers[r["customer"]],
            "number": r["number"],
            "kind": ContractKind(r["kind"]).value,
            "starts_on": date.fromisoformat(r["starts_on"]),
            "ends_on": date.fromisoformat(r["ends_on"]),
            "sla_plan": r["sla_plan"],
            "all_assets": "assets" not in r,
            "exclusions": [],
            "value": Decimal(str(r["value"])) if r["value"] else None,
            "created_at": datetime.fromisoformat(r["starts_on"] + "T00:00:00+00:00"),
        }
        for r in records
    ]
    bulk.insert(session, Contract, rows)
    numbers = {r["number"] for r in records}
    for contract_id, number in session.execute(
        sa.select(Contract.id, Contract.number).where(Contract.number.in_(numbers))
    ):
        keys.contracts[number] = contract_id
    links = [
        {"contract_id": keys.contracts[r["number"]], "asset_id": keys.assets[a].id}
        for r in records
        for a in r.get("assets", [])
    ]
    bulk.insert(session, ContractAsset, links)
    for r in records:
        ids = {keys.assets[a].id for a in r["assets"]} if "assets" in r else None
        keys.coverage.setdefault(keys.customers[r["customer"]], []).append(
            (date.fromisoformat(r["starts_on"]), date.fromisoformat(r["ends_on"]), r["kind"],
             r["sla_plan"], ids)
        )  # fmt: skip


def load_field(*, session: Session, directory: Path, keys: Keys) -> None:
    """Engineers, parts and warehouses, through the field services."""
    for r in read(directory, "engineers"):
        engineer = create_engineer(
            session=session,
            data=EngineerCreate(
                code=r["code"],
                name=r["name"],
                email=r["email"],
                phone=r["phone"],
                level=EngineerLevel(r["level"]),
                base=BaseIn(
                    label=f"{r['region']}: {r['base_label']}",
                    latitude=r["latitude"],
                    longitude=r["longitude"],
                ),
                time_zone=r["time_zone"],
                working_hours=r["working_hours"],
                max_open_jobs=r["max_open_jobs"],
                skills=[SkillIn(**s) for s in r["skills"]],
            ),
            now=timing.parse(r["created_at"]),
        )
        keys.engineers[r["code"]] = engineer.id
    for r in read(directory, "parts"):
        part = catalogue.add_part(
            session=session,
            data=PartCreate(
                part_number=r["part_number"],
                name=r["name"],
                asset_types=r["asset_types"],
                unit_cost=r["unit_cost"],
            ),
        )
        keys.parts[r["part_number"]] = part.id
        keys.part_costs[r["part_number"]] = r["unit_cost"]
    for r in read(directory, "warehouses"):
        warehouse = catalogue.add_warehouse(
            session=session,
            data=WarehouseCreate(
                code=r["code"],
                name=r["name"],
                kind=WarehouseKind(r["kind"]),
                engineer_id=keys.engineers[r["engineer"]] if r["engineer"] else None,
            ),
        )
        keys.warehouses[r["code"]] = warehouse.id


def load_articles(*, session: Session, directory: Path, keys: Keys, source: dict[str, Any]) -> None:
    """The knowledge base through ``knowledge.service.create`` (its search text and tags);
    ``source`` maps a work order's key to its id, for articles written from a repair."""
    for r in read(directory, "articles"):
        at = timing.parse(r["created_at"])
        article = kb.create(
            session=session,
            data=ArticleCreate(
                title=r["title"],
                symptom=r["symptom"],
                cause=r["cause"],
                fix_steps=r["fix_steps"],
                parts=r["parts"],
                fault_codes=r["fault_codes"],
                asset_types=r["asset_types"],
                status=ArticleStatus(r["status"]),
            ),
            author=r["author"],
            now=at,
        )
        if r["source_work_order"]:
            article.source_work_order_id = source[r["source_work_order"]]
        keys.articles[r["key"]] = article.id
