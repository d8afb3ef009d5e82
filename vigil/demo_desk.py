"""The demo's service organisation: customers with tiers and contracts, sites with calendars,
the scenario's assets as records, four engineers with skills and bases, and sign-in keys for a
dispatcher and a customer, so a newcomer sees the pump's work order classified, on an SLA clock
and with a dispatch suggestion.

Seeded once per data directory (a second ``vigil demo`` on the same data keeps it). The sites
are placed around Lyon; engineers are on call around the clock so the demo shows suggestions
whatever the hour it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.keys import create_key
from api.roles import Role
from customers import assets, contracts, service, sites
from customers.hours import parse_hours
from customers.models import ContractKind, Criticality, Customer, Tier
from field.models import EngineerLevel
from field.schemas import BaseIn, EngineerCreate, SkillIn
from field.service import create_engineer
from simulators.scenario import Scenario

ACTOR = "vigil demo"
ZONE = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class DeskSite:
    customer: str
    tier: Tier
    name: str
    latitude: float
    longitude: float
    hours: str
    contract: tuple[str, ContractKind, str] | None  # number, kind, SLA plan; None: billable
    # The contact the customer's mails go to: name, address, language (BCP 47).
    contact: tuple[str, str, str] = ("Facility desk", "desk@customer.example", "en")


# By the scenario's site ids; a scenario with other sites gets one customer per site.
SITES = {
    "waterworks": DeskSite(
        "Lyon Waterworks",
        Tier.VIP,
        "Pumping station Saint-Clair",
        45.7797,
        4.8728,
        "24x7",
        ("SC-2026-001", ContractKind.PAID, "gold"),
        ("Claire Moreau", "claire.moreau@lyon-waterworks.example", "en"),
    ),
    "tower": DeskSite(
        "Part-Dieu Tower SA",
        Tier.STANDARD,
        "Office tower",
        45.7606,
        4.8590,
        "mon-fri 07:00-19:00; sat 08:00-12:00",
        ("W-2025-017", ContractKind.WARRANTY, "standard"),
        ("陈静", "chen.jing@partdieu-tower.example", "zh-CN"),
    ),
    "factory": DeskSite(
        "Nordfab",
        Tier.BASIC,
        "Vénissieux plant",
        45.6973,
        4.8862,
        "mon-fri 06:00-22:00",
        None,
        ("Luc Bernard", "maintenance@nordfab.example", "fr"),
    ),
}
# code, name, level, base (label, lat, lon), skills as asset_type:level
ENGINEERS = (
    ("a.martin", "Anne Martin", EngineerLevel.SENIOR, ("Lyon depot", 45.7485, 4.8467),
     {"pump": 3, "chiller": 2}),
    ("b.durand", "Bruno Durand", EngineerLevel.SENIOR, ("Villeurbanne", 45.7719, 4.8902),
     {"elevator": 3}),
    ("c.petit", "Chloé Petit", EngineerLevel.MID, ("Vénissieux", 45.7130, 4.8830),
     {"air_compressor": 2, "pump": 2}),
    ("d.leroy", "David Leroy", EngineerLevel.JUNIOR, ("Bron", 45.7386, 4.9130),
     {"chiller": 2, "elevator": 1, "pump": 1}),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeskKeys:
    dispatcher: str
    customer: str
    customer_name: str


def seed_desk(*, session: Session, scenario: Scenario, now: datetime) -> DeskKeys | None:
    """Create the organisation and the two keys; None when the data directory has one already."""
    if session.scalar(sa.select(sa.func.count()).select_from(Customer)):
        return None
    first: Customer | None = None
    # The customer key is the one whose equipment the scenario's first fault hits (the pump).
    faulty = {a.id: a.site for a in scenario.assets}.get(
        scenario.faults[0].asset if scenario.faults else "", scenario.sites[0].id
    )
    for spec in scenario.sites:
        desk = SITES.get(spec.id) or DeskSite(
            f"Customer {spec.id}", Tier.STANDARD, spec.id, 45.75, 4.85, "", None
        )
        customer = service.find_customer(session=session, name=desk.customer) or (
            service.create_customer(
                session=session,
                name=desk.customer,
                tier=desk.tier,
                contacts=[
                    service.ContactData(
                        name=desk.contact[0],
                        phone="+33 4 00 00 00 00",
                        email=desk.contact[1],
                        language=desk.contact[2],
                    )
                ],
                actor=ACTOR,
                now=now,
            )
        )
        if spec.id == faulty:
            first = customer
        site = sites.create_site(
            session=session,
            customer_id=customer.id,
            data=sites.SiteData(
                code=spec.id,
                name=desk.name,
                latitude=desk.latitude,
                longitude=desk.longitude,
                timezone=ZONE,
                region="Lyon",
                business_hours=parse_hours(desk.hours),
            ),
        )
        for day, name in (
            (date(now.year, 7, 14), "Fête nationale"),
            (date(now.year, 12, 25), "Noël"),
        ):
            sites.set_holiday(session=session, site_id=site.id, day=day, name=name)
        for asset in (a for a in scenario.assets if a.site == spec.id):
            found = assets.find_asset(session=session, asset=asset.id, site=spec.id)
            data = assets.AssetData(
                model=f"{asset.asset_type.replace('_', ' ')} model",
                serial_number=f"SN-{spec.id}-{asset.id}",
                install_date=date(2019, 5, 14),
                criticality=Criticality.HIGH if asset.asset_type == "pump" else Criticality.MEDIUM,
            )
            if found is None:
                assets.create_asset(
                    session=session,
                    site_id=site.id,
                    asset=asset.id,
                    asset_type=asset.asset_type,
                    data=data,
                    now=now,
                )
            else:
                assets.update_asset(session=session, asset_id=found.id, data=data)
        if desk.contract is not None:
            number, kind, plan = desk.contract
            contracts.create_contract(
                session=session,
                customer_id=customer.id,
                data=contracts.ContractData(
                    number=number,
                    kind=kind,
                    starts_on=date(now.year, 1, 1),
                    ends_on=date(now.year + 1, 12, 31),
                    sla_plan=plan,
                ),
                now=now,
            )
    for code, name, level, (label, lat, lon), skills in ENGINEERS:
        create_engineer(
            session=session,
            data=EngineerCreate(
                code=code,
                name=name,
                level=level,
                time_zone=ZONE,
                base=BaseIn(label=label, latitude=lat, longitude=lon),
                working_hours=parse_hours("24x7"),
                skills=[SkillIn(asset_type=t, fault_code="*", level=n) for t, n in skills.items()],
            ),
            now=now,
        )
    assert first is not None
    dispatcher = create_key(session=session, name="demo dispatcher", role=Role.dispatcher, now=now)
    customer_key = create_key(
        session=session,
        name=f"demo customer ({first.name})",
        role=Role.customer,
        customer_id=first.id,
        now=now,
    )
    session.flush()
    return DeskKeys(dispatcher.key, customer_key.key, first.name)
