"""A customer with a repaired work order, for the follow-up and survey tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from customers.models import Asset
from tests.customers.builders import ACTOR, Org, build_org
from workorders import service as wo_service
from workorders.models import ResolutionCode, WorkOrder
from workorders.requests.models import Category, Channel
from workorders.requests.service import RequestData, raise_request


@dataclass(frozen=True, slots=True)
class Repaired:
    org: Org
    work_order: WorkOrder


def repaired(session: Session, *, now: datetime, org: Org | None = None) -> Repaired:
    """ACME's pump-1, reported on the hotline and resolved as a confirmed fault at ``now``."""
    org = org or build_org(session, now=now)
    raised = raise_request(
        session=session,
        data=RequestData(
            channel=Channel.HOTLINE,
            category=Category.TROUBLESHOOTING,
            description="Pump 1 is noisy",
            asset_id=org.pump_1,
            fault_code="mechanical",
        ),
        actor=ACTOR,
        now=now,
    )
    wo = wo_service.record_resolution(
        session=session,
        work_order_id=raised.work_order.id,
        code=ResolutionCode.CONFIRMED_FAULT,
        no_acceptance_reason="customer not on site (test)",
        expected_version=None,
        actor=ACTOR,
        now=now,
        notes="bearing replaced",
    )
    session.flush()
    return Repaired(org, wo)


def asset(session: Session, asset_id: int) -> Asset:
    row = session.get(Asset, asset_id)
    assert row is not None
    return row
