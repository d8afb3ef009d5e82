"""A work order ready for a visit: ACME's pump-1 with a mechanical fault, dispatched to Ana (who
has a van with two bearings), a published article whose fix has three steps, a second engineer
and a second customer who must not see it."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from customers.hours import parse_hours
from field import flows
from field import service as field_service
from field.models import EngineerLevel
from field.schemas import BaseIn, EngineerCreate, SkillIn
from field.stock import catalogue
from field.stock import service as stock
from field.stock.models import PartCreate, WarehouseCreate, WarehouseKind
from knowledge import service as knowledge
from knowledge.models import ArticleCreate, ArticleStatus
from models.base import Decision
from tests.customers.builders import build_org
from workorders import from_alerts

STEPS = (
    "Isolate the pump and lock out the motor",
    "Replace the drive-end bearing",
    "Run the pump and check vibration below 4.5 mm/s",
)
BARCODE = "4006593001234"


@dataclass(frozen=True, slots=True)
class VisitWorld:
    work_order: str  # number
    engineer_id: int
    other_engineer_id: int
    customer_id: int  # the asset's customer (ACME)
    other_customer_id: int
    article_id: int


def _engineer(session: Session, code: str, name: str, now: datetime) -> int:
    return field_service.create_engineer(
        session=session,
        data=EngineerCreate(
            code=code,
            name=name,
            level=EngineerLevel.SENIOR,
            base=BaseIn(label="depot", latitude=47.38, longitude=8.53),
            working_hours=parse_hours("24x7"),
            skills=[SkillIn(asset_type="pump", fault_code="*", level=3)],
        ),
        now=now,
    ).id


def build_visit_world(session: Session, *, now: datetime | None = None) -> VisitWorld:
    now = now or datetime.now(UTC)
    org = build_org(session, now=now)
    ana = _engineer(session, "ana", "Ana Costa", now)
    ben = _engineer(session, "ben", "Ben Okafor", now)
    van = catalogue.add_warehouse(
        session=session,
        data=WarehouseCreate(
            code="van-ana", name="Ana's van", kind=WarehouseKind.VAN, engineer_id=ana
        ),
    )
    bearing = catalogue.add_part(
        session=session,
        data=PartCreate(
            part_number="SKF-6205", name="Bearing 6205-2RS", barcode=BARCODE, asset_types=["pump"]
        ),
    )
    catalogue.add_part(
        session=session, data=PartCreate(part_number="MS-40", name="Mechanical seal")
    )
    stock.receive(session=session, warehouse=van, part=bearing, quantity=2, actor="store", now=now)
    article = knowledge.create(
        session=session,
        data=ArticleCreate(
            title="Worn drive-end bearing",
            symptom="Vibration rising at the drive end",
            cause="Bearing wear",
            fix_steps=list(STEPS),
            parts=["SKF-6205"],
            fault_codes=["mechanical"],
            asset_types=["pump"],
            status=ArticleStatus.PUBLISHED,
        ),
        author="k.writer",
        now=now,
    )
    wo = from_alerts.open_for_alert(
        session=session,
        decision=Decision(
            site="plant-a",
            asset="pump-1",
            asset_type="pump",
            at=now - timedelta(minutes=5),
            fault_code="mechanical",
            score=6.0,
            threshold=3.0,
            is_anomalous=True,
            detector="pca",
            model_version="pump-v3",
            contributions={"vibration_rms": 0.71, "temperature": 0.18},
            predicted_failure_at=now + timedelta(days=4),
            predicted_failure_low=now + timedelta(days=3),
            predicted_failure_high=now + timedelta(days=6),
        ),
        now=now - timedelta(minutes=5),
    ).work_order
    flows.dispatch(session=session, work_order_id=wo.id, engineer_id=ana, actor="desk", now=now)
    session.flush()
    return VisitWorld(wo.number, ana, ben, org.acme, org.beta, article.id)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# The first bytes of a JPEG (SOI + JFIF APP0): enough for the type check, which reads content.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
