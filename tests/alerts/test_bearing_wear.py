"""A bearing wears out: decisions -> alerts -> exactly one work order -> a real, verifying receiver."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa

from alerts.flows import handle_decisions
from alerts.models import Alert, AlertState
from models.base import Decision
from tests.workorders.dbkit import Db, decision
from tests.workorders.receiver import SECRET, Receiver
from workorders.models import Priority, WorkOrder
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus
from workorders.webhooks.scheduled import deliver_due


def bearing_wear(start: datetime, minutes: int = 150, onset: int = 60) -> list[Decision]:
    """Healthy noise, then a vibration score climbing towards failure, as the trend detector sees it."""
    rng = random.Random(7)
    out = []
    for i in range(minutes):
        at = start + timedelta(minutes=i)
        wear = max(0, i - onset) / (minutes - onset)
        score = 0.35 + 2.6 * wear**1.5 + rng.gauss(0, 0.12)
        remaining_h = 200 * (1 - wear) if i > onset else None
        out.append(
            decision(
                asset="pump-7",
                at=at,
                score=score,
                detector="degradation_trend",
                contributions={"vibration_rms": 0.8, "bearing_temp": 0.15},
                predicted_failure_at=at + timedelta(hours=remaining_h) if remaining_h else None,
                cold_start=i < 10,
            )
        )
    return out


def test_bearing_wear_opens_exactly_one_work_order_delivered_and_verified(
    db: Db, receiver: Receiver
) -> None:
    with db.factory() as session:
        webhooks.add_subscription(
            session=session, url=receiver.url, secret=SECRET, now=datetime.now(UTC)
        )
        session.commit()
    decisions = bearing_wear(datetime.now(UTC) - timedelta(minutes=150))
    created: list[str] = []
    with httpx.Client() as client:
        # As the scoring job does: a batch per cycle, the delivery worker between cycles.
        for i in range(0, len(decisions), 10):
            batch = decisions[i : i + 10]
            tally = handle_decisions(session_factory=db.factory, decisions=batch, now=batch[-1].at)
            created += tally.created
            deliver_due(session_factory=db.factory, http_client=client, now=datetime.now(UTC))

    assert len(created) == 1
    with db.factory() as session:
        (wo,) = session.scalars(sa.select(WorkOrder)).all()
        alerts = session.scalars(sa.select(Alert)).all()
        deliveries = webhooks.list_deliveries(session=session, work_order_id=wo.id)
    assert wo.number == created[0]
    assert wo.fault_code == "mechanical"
    assert wo.priority is Priority.URGENT  # escalated as the predicted failure came near
    assert [a.state for a in alerts if a.state is AlertState.FIRING] == [AlertState.FIRING]
    assert {d.status for d in deliveries} == {DeliveryStatus.DELIVERED}
    assert receiver.hits[0].event == "work_order.created"
    assert all(h.status == 200 for h in receiver.hits)  # every signature verified
    assert list(receiver.tickets) == [str(wo.id)]
    assert receiver.tickets[str(wo.id)]["version"] == wo.version
    assert receiver.tickets[str(wo.id)]["priority"] == "urgent"
