"""The demo's field service: what the engineer needs to work the pump's repair on a phone.

A key bound to Anne Martin (the pump expert whom the pump's urgent work order is dispatched to,
automatically, as the nearest qualified engineer), her van with the parts a bearing repair takes
(with barcodes, so a scanner or typing the number both work), a central store, and a published
knowledge-base article for the mechanical fault whose fix steps become the phone's checklist.
Seeded with the service organisation (``vigil/demo_desk.py``), once per data directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.keys import create_key
from api.roles import Role
from field.models import Engineer
from field.stock import catalogue
from field.stock import service as stock
from field.stock.models import PartCreate, WarehouseCreate, WarehouseKind
from knowledge import service as knowledge
from knowledge.models import ArticleCreate, ArticleStatus

ACTOR = "vigil demo"
ENGINEER = "a.martin"
# part number, name, barcode (EAN-13), in the van, in the central store
PARTS = (
    ("SKF-6205-2RS", "Deep-groove ball bearing 6205-2RS", "4006593062051", 2, 20),
    ("GR-LGMT2-400", "Bearing grease cartridge LGMT 2, 400 g", "4006593040011", 3, 12),
    ("CPL-ROTEX-28", "Coupling insert ROTEX 28, 92 Sh A", "4010544028920", 1, 6),
)
FIX = (
    "Lock out and tag out the pump motor; close the suction and discharge valves",
    "Measure the vibration spectrum at the drive-end bearing housing (ISO 10816 velocity)",
    "Remove the coupling guard and check the shaft alignment",
    "Replace the drive-end bearing (SKF-6205-2RS) and regrease (LGMT 2)",
    "Refit the guard, open the valves, run the pump 10 minutes",
    "Check vibration is below 4.5 mm/s RMS and the bearing temperature is steady",
)


@dataclass(frozen=True, slots=True)
class FieldKeys:
    engineer: str
    engineer_name: str


def seed_field(*, session: Session, now: datetime) -> FieldKeys | None:
    """The engineer's key, van, parts and the article; None without the demo's engineer."""
    engineer = session.scalars(sa.select(Engineer).where(Engineer.code == ENGINEER)).first()
    if engineer is None:
        return None
    central = catalogue.add_warehouse(
        session=session, data=WarehouseCreate(code="central-lyon", name="Lyon central store")
    )
    van = catalogue.add_warehouse(
        session=session,
        data=WarehouseCreate(
            code=f"van-{ENGINEER}",
            name=f"{engineer.name}'s van",
            kind=WarehouseKind.VAN,
            engineer_id=engineer.id,
        ),
    )
    for number, name, barcode, in_van, in_store in PARTS:
        part = catalogue.add_part(
            session=session,
            data=PartCreate(part_number=number, name=name, barcode=barcode, asset_types=["pump"]),
        )
        for warehouse, quantity in ((van, in_van), (central, in_store)):
            stock.receive(
                session=session,
                warehouse=warehouse,
                part=part,
                quantity=quantity,
                actor=ACTOR,
                now=now,
                note="demo stock",
            )
    knowledge.create(
        session=session,
        data=ArticleCreate(
            title="Pump drive-end bearing wear: replace the bearing",
            symptom="Vibration RMS rising at the drive end, bearing temperature creeping up",
            cause="Worn or under-lubricated drive-end rolling bearing",
            fix_steps=list(FIX),
            parts=[number for number, *_ in PARTS[:2]],
            fault_codes=["mechanical"],
            asset_types=["pump"],
            metrics=["vibration_rms", "bearing_temperature"],
            status=ArticleStatus.PUBLISHED,
        ),
        author=ACTOR,
        now=now,
    )
    key = create_key(
        session=session,
        name=f"demo engineer ({engineer.name})",
        role=Role.engineer,
        engineer_id=engineer.id,
        now=now,
    )
    session.flush()
    return FieldKeys(key.key, engineer.name)
