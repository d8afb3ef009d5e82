"""Outbox delivery to real HTTP receivers: signatures, retries, dead letters, isolation."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.workorders.dbkit import Db, decision
from tests.workorders.receiver import SECRET, Receiver
from workorders import browse, from_alerts, service
from workorders.errors import InvalidInput, NotFound
from workorders.models import Status, WorkOrder, WorkOrderDocument
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus, OutboxEvent, Subscription
from workorders.webhooks.scheduled import DeliveryReport, RetryPolicy, deliver_due

FAST = RetryPolicy(timeout_s=2.0, base_delay_s=1.0, max_delay_s=8.0, max_age_s=3600)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as c:
        yield c


def _subscribe(db: Db, url: str, secret: str = SECRET) -> None:
    with db.factory() as session:
        webhooks.add_subscription(session=session, url=url, secret=secret, now=datetime.now(UTC))
        session.commit()


def _open(db: Db, asset: str, now: datetime) -> None:
    with db.factory() as session:
        from_alerts.open_for_alert(session=session, decision=decision(asset=asset, at=now), now=now)
        session.commit()


def _deliver(
    db: Db, client: httpx.Client, now: datetime, policy: RetryPolicy = FAST
) -> DeliveryReport:
    return deliver_due(session_factory=db.factory, http_client=client, now=now, policy=policy)


def test_work_order_is_delivered_signed_to_a_real_receiver(
    db: Db, receiver: Receiver, client: httpx.Client
) -> None:
    _subscribe(db, receiver.url)
    now = datetime.now(UTC)
    _open(db, "pump-1", now)
    report = _deliver(db, client, now)
    assert (report.claimed, report.delivered, report.failed) == (1, 1, 0)
    (hit,) = receiver.hits
    assert (hit.event, hit.status) == ("work_order.created", 200)
    (ticket,) = receiver.tickets.values()
    doc = WorkOrderDocument.model_validate(ticket)
    assert doc.asset.asset == "pump-1"
    with db.factory() as session:
        (delivery,) = webhooks.list_deliveries(session=session, work_order_id=doc.id)
        assert str(delivery.id) == hit.delivery
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.DELIVERED,
            1,
            200,
        )
    assert _deliver(db, client, now + timedelta(seconds=1)).claimed == 0


def test_wrong_secret_is_refused_by_the_receiver_and_retried(
    db: Db, receiver: Receiver, client: httpx.Client
) -> None:
    _subscribe(db, receiver.url, secret="not-the-receivers-secret")
    now = datetime.now(UTC)
    _open(db, "pump-1", now)
    report = _deliver(db, client, now)
    assert (report.delivered, report.failed) == (0, 1)
    assert receiver.hits[0].status == 401
    assert receiver.tickets == {}
    with db.factory() as session:
        (delivery,) = webhooks.list_deliveries(session=session)
        assert delivery.status is DeliveryStatus.PENDING
        assert "HTTP 401" in (delivery.last_error or "")
        assert (
            now + timedelta(seconds=0.5) <= delivery.next_attempt_at <= now + timedelta(seconds=1)
        )


def test_receiver_down_then_back_gets_everything_once_per_event(
    db: Db, receiver: Receiver, client: httpx.Client
) -> None:
    _subscribe(db, receiver.url)
    receiver.stop()
    start = datetime.now(UTC)
    for i in range(3):
        _open(db, f"pump-{i}", start)
    with db.factory() as session:
        wo = service.get_work_order(
            session=session, ref=browse.list_work_orders(session=session).items[0].id
        )
        service.transition(
            session=session,
            work_order_id=wo.id,
            to=Status.ACKNOWLEDGED,
            expected_version=1,
            actor="t",
            now=start,
        )
        session.commit()
    # Down for a simulated minute: only the oldest delivery is retried (per-receiver backoff).
    for step in range(12):
        report = _deliver(db, client, start + timedelta(seconds=5 * step))
        assert report.delivered == 0
        assert report.failed <= 1  # one request per run at most; the others wait
    receiver.start()
    delivered = 0
    for step in range(12, 40):
        delivered += _deliver(db, client, start + timedelta(seconds=5 * step)).delivered
        if delivered == 4:
            break
    assert delivered == 4
    with db.factory() as session:
        events = session.query(OutboxEvent).all()
        rows = webhooks.list_deliveries(session=session)
        assert {r.status for r in rows} == {DeliveryStatus.DELIVERED}
        assert max(r.attempts for r in rows) > 1
    assert len(events) == 4
    ids_per_event: dict[str, set[str]] = defaultdict(set)
    by_id = {str(r.id): r.event_id for r in rows}
    for hit in receiver.hits:
        ids_per_event[str(by_id[hit.delivery])].add(hit.delivery)
    assert len(ids_per_event) == 4  # none lost
    assert all(len(ids) == 1 for ids in ids_per_event.values())  # never two delivery ids
    assert {t["version"] for t in receiver.tickets.values()} == {1, 2}


def test_dead_letter_after_max_age_is_visible_and_replayable(db: Db, client: httpx.Client) -> None:
    receiver = Receiver(SECRET)  # not started: connection refused
    _subscribe(db, receiver.url)
    now = datetime.now(UTC)
    _open(db, "pump-1", now)
    policy = RetryPolicy(timeout_s=1.0, base_delay_s=4.0, max_delay_s=8.0, max_age_s=10)
    reports = [
        _deliver(db, client, now + timedelta(seconds=s), policy) for s in (0, 4, 8, 12, 16, 20)
    ]
    assert sum(r.dead for r in reports) == 1
    with db.factory() as session:
        (dead,) = webhooks.list_deliveries(session=session, status=DeliveryStatus.DEAD)
        assert "ConnectError" in (dead.last_error or "")
        assert webhooks.replay_dead(session=session, now=now + timedelta(seconds=30)) == 1
        session.commit()
    receiver.start()
    try:
        assert _deliver(db, client, now + timedelta(seconds=30), policy).delivered == 1
    finally:
        receiver.stop()
    assert [h.delivery for h in receiver.hits] == [str(dead.id)]


def test_dead_receiver_does_not_hold_up_a_live_one(
    db: Db, receiver: Receiver, client: httpx.Client
) -> None:
    # A black hole: accepts the TCP connection, never answers.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    try:
        _subscribe(db, f"http://127.0.0.1:{hole.getsockname()[1]}/hook")
        _subscribe(db, receiver.url)
        now = datetime.now(UTC)
        for i in range(3):
            _open(db, f"pump-{i}", now)
        began = time.monotonic()
        report = _deliver(db, client, now, RetryPolicy(timeout_s=0.5))
        elapsed = time.monotonic() - began
    finally:
        hole.close()
    assert len(receiver.tickets) == 3
    # One timed-out request for the dead receiver; its other two wait for the retry.
    assert (report.delivered, report.failed, report.deferred) == (3, 1, 2)
    assert elapsed < 3
    assert _deliver(db, client, now + timedelta(milliseconds=100)).claimed == 0


def test_subscription_input_is_validated(db: Db) -> None:
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="http"):
            webhooks.add_subscription(session=session, url="ftp://x", now=datetime.now(UTC))
        with pytest.raises(InvalidInput, match="unknown event types"):
            webhooks.add_subscription(
                session=session, url="http://x/h", event_types=["nope"], now=datetime.now(UTC)
            )
        sub = webhooks.add_subscription(
            session=session,
            url="http://x/h",
            event_types=["work_order.reopened"],
            now=datetime.now(UTC),
        )
        assert len(sub.secret) >= 32
        # Not interested in "created": no delivery.
        from_alerts.open_for_alert(session=session, decision=decision(), now=datetime.now(UTC))
        assert webhooks.list_deliveries(session=session) == []
        webhooks.remove_subscription(session=session, subscription_id=sub.id)
        assert webhooks.list_subscriptions(session=session) == []
        with pytest.raises(NotFound):
            webhooks.remove_subscription(session=session, subscription_id=sub.id)


def test_a_backlog_drains_in_one_call_batch_after_batch(
    db: Db, receiver: Receiver, client: httpx.Client
) -> None:
    _subscribe(db, receiver.url)
    now = datetime.now(UTC)
    with db.factory() as session:
        for i in range(25):
            from_alerts.open_for_alert(
                session=session, decision=decision(asset=f"p{i}", at=now), now=now
            )
        session.commit()
    report = _deliver(db, client, now, RetryPolicy(per_receiver=10))
    assert (report.delivered, report.claimed) == (25, 25)
    assert len(receiver.tickets) == 25


def test_two_workers_at_once_send_each_delivery_once(db: Db, receiver: Receiver) -> None:
    site = f"workers-{uuid.uuid4().hex[:6]}"
    now = datetime.now(UTC)
    with db.committed() as session:
        sub = webhooks.add_subscription(session=session, url=receiver.url, secret=SECRET, now=now)
        made = [
            from_alerts.open_for_alert(
                session=session, decision=decision(site=site, asset=f"w{i}", at=now), now=now
            ).work_order
            for i in range(30)
        ]
        session.commit()
    reports: list[DeliveryReport] = []
    try:
        with httpx.Client() as client:

            def work() -> None:
                reports.append(_deliver(db_committed, client, now, RetryPolicy(per_receiver=5)))

            db_committed = Db(db.backend, db.committed, db.committed)
            workers = [threading.Thread(target=work) for _ in range(2)]
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join(timeout=60)
        assert sum(r.delivered for r in reports) == 30
        deliveries = [h.delivery for h in receiver.hits]
        assert len(deliveries) == len(set(deliveries)) == 30
    finally:
        with db.committed() as session:
            session.delete(session.get(Subscription, sub.id))
            for wo in made:
                session.delete(session.get(WorkOrder, wo.id))
            session.commit()
