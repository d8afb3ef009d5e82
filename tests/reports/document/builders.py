"""A small service month with known answers for the report tests: two regions, two asset models,
predictive and reported faults, a false alarm, a reopened repair, parts, a knowledge article
applied, and follow-up tasks (one overdue)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from customers.models import DEFAULT_HOURS, Asset, Customer, Site, Tier, TierSource
from field.models import Engineer, EngineerLevel
from field.stock.models import MoveKind, Part, StockMove, Warehouse
from followup.surveys.models import FollowUpTask, Survey, TaskKind, TaskStatus
from knowledge.models import Article, ArticleUse, UseKind
from workorders.models import Kind, Priority, ResolutionCode, Status, WorkOrder

NOV = datetime(2026, 11, 1, tzinfo=UTC)
_seq = iter(range(1, 10**6))


def _site(session: Session, customer: Customer, code: str, region: str) -> Site:
    site = Site(
        customer_id=customer.id,
        code=code,
        name=code,
        timezone="Europe/Zurich",
        region=region,
        business_hours=DEFAULT_HOURS,
    )
    session.add(site)
    session.flush()
    return site


def _asset(session: Session, site: Site, name: str, asset_type: str, model: str) -> Asset:
    asset = Asset(
        site=site.code,
        asset=name,
        asset_type=asset_type,
        customer=site.customer.name,
        first_seen_at=NOV - timedelta(days=400),
        site_id=site.id,
        model=model,
    )
    session.add(asset)
    session.flush()
    return asset


def work_order(
    session: Session,
    asset: Asset,
    *,
    fault: str,
    created: datetime,
    channel: str = "alert",
    resolution: ResolutionCode | None = ResolutionCode.CONFIRMED_FAULT,
    resolved_after: timedelta = timedelta(hours=20),
    assignee: str | None = "ana",
    **fields: Any,
) -> WorkOrder:
    n = next(_seq)
    resolved = created + resolved_after if resolution is not None else None
    wo = WorkOrder(
        id=uuid.uuid4(),
        number=f"WO-2026-{n:06d}",
        change_seq=n,
        asset_id=asset.id,
        kind=Kind.EQUIPMENT,
        fault_code=fault,
        fault_title=f"{fault.replace('_', ' ')} on {asset.asset_type}",
        detector="isolation_forest",
        model_version="v1",
        score=1.5,
        threshold=1.0,
        priority=Priority.NORMAL,
        status=Status.CLOSED if resolution is not None else Status.OPEN,
        detected_at=created,
        created_at=created,
        updated_at=resolved or created,
        respond_by=created + timedelta(hours=4),
        on_site_by=created + timedelta(hours=24),
        resolve_by=created + timedelta(hours=48),
        responded_at=created + timedelta(hours=1),
        on_site_at=created + timedelta(hours=6) if resolution is not None else None,
        resolved_at=resolved,
        closed_at=resolved,
        visits=fields.pop("visits", 1 if resolution is not None else 0),
        assignee=assignee,
        resolution_code=resolution,
        channel=channel,
        channels=[channel],
        **fields,
    )
    session.add(wo)
    session.flush()
    return wo


def service_month(session: Session) -> dict[str, Any]:
    """November 2026 (and a little of October). Returns the rows a test refers to."""
    now = NOV - timedelta(days=400)
    customer = Customer(
        name="ACME Water",
        tier=Tier.STANDARD,
        tier_set_by="test",
        tier_set_at=now,
        tier_source=TierSource.MANUAL,
        created_at=now,
    )
    session.add(customer)
    session.flush()
    for code, name in (("ana", "Ana Weber"), ("bo", "Bo Lind")):
        session.add(
            Engineer(code=code, name=name, level=EngineerLevel.MID, time_zone="Europe/Zurich",
                     working_hours=DEFAULT_HOURS, max_open_jobs=5, created_at=now, updated_at=now)
        )  # fmt: skip
    north = _site(session, customer, "plant-north", "north")
    south = _site(session, customer, "plant-south", "south")
    pumps = [_asset(session, north, f"pump-{i}", "pump", "P-200") for i in range(1, 5)]
    chillers = [_asset(session, south, f"chiller-{i}", "chiller", "C-90") for i in range(1, 3)]
    day = timedelta(days=1)
    wos = {
        # Three bearing faults on pumps (one asset twice, one reopened), caught by alerts.
        "b1": work_order(
            session,
            pumps[0],
            fault="bearing_wear",
            created=NOV + 2 * day,
            parts_used=["BRG-6205"],
            resolution_notes="Replaced the drive-end bearing.",
        ),
        "b2": work_order(
            session,
            pumps[0],
            fault="bearing_wear",
            created=NOV + 12 * day,
            parts_used=["BRG-6205"],
            repeat_count=1,
            visits=2,
        ),
        "b3": work_order(
            session,
            pumps[1],
            fault="bearing_wear",
            created=NOV + 5 * day,
            parts_used=["BRG-6205", "SEAL-1"],
            assignee="bo",
        ),
        # Cavitation on a pump, reported by the customer (unannounced).
        "c1": work_order(
            session,
            pumps[2],
            fault="cavitation",
            created=NOV + 7 * day,
            channel="hotline",
            assignee="bo",
        ),
        # A false alarm on a chiller.
        "f1": work_order(
            session,
            chillers[0],
            fault="refrigerant_leak",
            created=NOV + 9 * day,
            resolution=ResolutionCode.FALSE_ALARM,
            visits=1,
        ),
        # A refrigerant leak confirmed on the other chiller, still open at the end.
        "r1": work_order(
            session, chillers[1], fault="refrigerant_leak", created=NOV + 20 * day, resolution=None
        ),
        # October: a predictive catch on a chiller (previous period).
        "o1": work_order(session, chillers[1], fault="compressor_wear", created=NOV - 10 * day),
    }
    article = Article(
        title="Replacing a 6205 bearing",
        author="ana",
        created_at=NOV - 30 * day,
        updated_at=NOV - 30 * day,
    )
    session.add(article)
    session.flush()
    session.add(
        ArticleUse(
            article_id=article.id,
            work_order_id=wos["b1"].id,
            actor="ana",
            kind=UseKind.APPLIED.value,
            at=NOV + 3 * day,
        )
    )
    part = Part(part_number="BRG-6205", name="Bearing 6205", unit_cost=35.0)
    seal = Part(part_number="SEAL-1", name="Shaft seal", unit_cost=120.0)
    store = Warehouse(code="central", name="Central")
    session.add_all([part, seal, store])
    session.flush()
    for key, p, qty in (("b1", part, 1), ("b2", part, 2), ("b3", part, 1), ("b3", seal, 1)):
        session.add(
            StockMove(
                at=wos[key].on_site_at,
                kind=MoveKind.CONSUME.value,
                part_id=p.id,
                warehouse_id=store.id,
                quantity=qty,
                work_order_id=wos[key].id,
                asset_id=wos[key].asset_id,
                actor="ana",
            )
        )
    tasks = [
        # Overdue at the end of November: due on the 20th, never done.
        FollowUpTask(kind=TaskKind.AFTER_REPAIR, asset_id=pumps[1].id, customer_id=customer.id,
                     due_key="b3", due_at=NOV + 19 * day, title="Call after the bearing repair",
                     assignee="care", status=TaskStatus.OPEN, created_at=NOV + 6 * day,
                     created_by="test"),
        # Done in time.
        FollowUpTask(kind=TaskKind.AFTER_REPAIR, asset_id=pumps[0].id, customer_id=customer.id,
                     due_key="b1", due_at=NOV + 4 * day, title="Call after the bearing repair",
                     assignee="care", status=TaskStatus.DONE, created_at=NOV + 3 * day,
                     created_by="test", done_at=NOV + 4 * day),
    ]  # fmt: skip
    session.add_all(tasks)
    # Answered surveys from June to November: (month, score, recommend).
    answers = [(6, 4.2, 9), (7, 3.8, 7), (8, 4.5, 10), (9, 4.0, 8), (10, 3.6, 6), (11, 4.4, 9),
               (11, 4.8, 10)]  # fmt: skip
    for n, (month, score, recommend) in enumerate(answers):
        at = datetime(2026, month, 15, tzinfo=UTC)
        session.add(
            Survey(customer_id=customer.id, asset_id=pumps[0].id, token_hash=f"{n:064d}",
                   sent_at=at - day, sent_by="test", expires_at=at + 10 * day, weights={},
                   questions={}, answered_at=at, overall=round(score), score=score,
                   recommend=recommend)
        )  # fmt: skip
    session.flush()
    return {"wos": wos, "pumps": pumps, "chillers": chillers, "article": article}
