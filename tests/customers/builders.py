"""A small service organisation for tests: two customers, their sites, contracts and assets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from customers import assets, contracts, service, sites
from customers.models import Asset, ContractKind, Criticality, Tier

ACTOR = "test (key t1, service_manager)"


@dataclass(frozen=True, slots=True)
class Org:
    acme: int  # vip, paid contract on all assets, warranty on pump-1
    beta: int  # standard, no contract
    plant_a: int
    plant_b: int
    pump_1: int  # at plant-a (acme)
    pump_2: int  # at plant-a (acme), high criticality
    fan_9: int  # at plant-b (beta)
    contact: int  # acme's facility manager


def build_org(session: Session, *, now: datetime) -> Org:
    acme = service.create_customer(
        session=session,
        name="ACME Water",
        tier=Tier.VIP,
        contacts=[
            service.ContactData(
                name="Ada Meier",
                phone="+41 44 123 45 67",
                email="ada@acme.example",
                role="facility manager",
                language="de-CH",
            )
        ],
        actor=ACTOR,
        now=now,
    )
    beta = service.create_customer(session=session, name="Beta Foods", actor=ACTOR, now=now)
    plant_a = sites.create_site(
        session=session,
        customer_id=acme.id,
        data=sites.SiteData(
            code="plant-a",
            name="ACME pumping station",
            address="Seestrasse 1, Zurich",
            latitude=47.37,
            longitude=8.54,
            timezone="Europe/Zurich",
            region="north",
        ),
    )
    plant_b = sites.create_site(
        session=session,
        customer_id=beta.id,
        data=sites.SiteData(
            code="plant-b",
            latitude=46.2,
            longitude=6.14,
            timezone="Europe/Zurich",
            region="west",
        ),
    )

    def asset(site_id: int, name: str, serial: str, criticality: Criticality) -> Asset:
        return assets.create_asset(
            session=session,
            site_id=site_id,
            asset=name,
            asset_type="pump",
            data=assets.AssetData(serial_number=serial, criticality=criticality),
            now=now,
        )

    pump_1 = asset(plant_a.id, "pump-1", "SN-1", Criticality.MEDIUM)
    pump_2 = asset(plant_a.id, "pump-2", "SN-2", Criticality.HIGH)
    fan_9 = asset(plant_b.id, "fan-9", "SN-9", Criticality.MEDIUM)
    contracts.create_contract(
        session=session,
        customer_id=acme.id,
        data=contracts.ContractData(
            number="SC-1",
            kind=ContractKind.PAID,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            sla_plan="gold",
            exclusions=["consultation"],
        ),
        now=now,
    )
    contracts.create_contract(
        session=session,
        customer_id=acme.id,
        data=contracts.ContractData(
            number="W-1",
            kind=ContractKind.WARRANTY,
            starts_on=date(2025, 6, 1),
            ends_on=date(2027, 5, 31),
            all_assets=False,
            asset_ids=[pump_1.id],
        ),
        now=now,
    )
    session.flush()
    return Org(
        acme=acme.id,
        beta=beta.id,
        plant_a=plant_a.id,
        plant_b=plant_b.id,
        pump_1=pump_1.id,
        pump_2=pump_2.id,
        fan_9=fan_9.id,
        contact=acme.contacts[0].id,
    )
