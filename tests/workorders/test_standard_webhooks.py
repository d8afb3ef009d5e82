"""Deliveries verified by the `standardwebhooks` library, before and after a secret rotation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.workorders.dbkit import Db, decision
from tests.workorders.receiver import Receiver
from workorders import from_alerts, service
from workorders.errors import InvalidInput
from workorders.models import Status
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus
from workorders.webhooks.scheduled import DeliveryReport, RetryPolicy, deliver_due
from workorders.webhooks.signing import new_secret, sign_standard

FAST = RetryPolicy(timeout_s=2.0, base_delay_s=1.0, max_delay_s=8.0, max_age_s=3600)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as c:
        yield c


def _deliver(db: Db, client: httpx.Client, now: datetime) -> DeliveryReport:
    return deliver_due(session_factory=db.factory, http_client=client, now=now, policy=FAST)


def _assign(db: Db, work_order_id: uuid.UUID, assignee: str, version: int, now: datetime) -> None:
    with db.factory() as session:
        service.assign(
            session=session,
            work_order_id=work_order_id,
            assignee=assignee,
            expected_version=version,
            actor="t",
            now=now,
        )
        session.commit()


def test_library_verifies_deliveries_before_during_and_after_a_rotation(
    db: Db, client: httpx.Client
) -> None:
    start = datetime.now(UTC)
    with db.factory() as session:
        sub = webhooks.add_subscription(session=session, url="http://127.0.0.1:1/x", now=start)
        old = sub.secret
        session.commit()
    assert old.startswith("whsec_")
    receiver = Receiver(old, marker="standard-receiver")
    with db.factory() as session:
        webhooks.get_subscription(session=session, subscription_id=sub.id).url = receiver.url
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-1", at=start), now=start
        ).work_order
        session.commit()
    receiver.start()
    try:
        assert _deliver(db, client, start).delivered == 1

        with db.factory() as session:
            new = webhooks.rotate_secret(
                session=session,
                subscription_id=sub.id,
                overlap=timedelta(seconds=60),
                now=start + timedelta(seconds=1),
            ).secret
            service.transition(
                session=session,
                work_order_id=wo.id,
                to=Status.ACKNOWLEDGED,
                expected_version=1,
                actor="t",
                now=start + timedelta(seconds=2),
            )
            session.commit()
        # During the overlap: the receiver still holding the old secret accepts...
        assert _deliver(db, client, start + timedelta(seconds=2)).delivered == 1
        # ...and so does it once switched to the new one.
        receiver.namespace["webhook"] = Webhook(new)
        _assign(db, wo.id, "j.smith", 2, start + timedelta(seconds=3))
        assert _deliver(db, client, start + timedelta(seconds=3)).delivered == 1
        assert receiver.tickets[str(wo.id)]["assignee"] == "j.smith"

        # After the overlap only the new secret signs: a receiver left on the old one refuses.
        receiver.namespace["webhook"] = Webhook(old)
        after = start + timedelta(seconds=62)
        _assign(db, wo.id, "a.jones", 3, after)
        report = _deliver(db, client, after)
        assert (report.delivered, report.failed) == (0, 1)
        receiver.namespace["webhook"] = Webhook(new)
        assert _deliver(db, client, after + timedelta(seconds=5)).delivered == 1
    finally:
        receiver.stop()
    assert [h.status for h in receiver.hits] == [200, 200, 200, 401, 200]
    assert receiver.tickets[str(wo.id)]["version"] == 4
    with db.factory() as session:
        rows = webhooks.list_deliveries(session=session)
        assert {r.status for r in rows} == {DeliveryStatus.DELIVERED}


def test_two_signatures_during_the_overlap_each_verify() -> None:
    old, new = new_secret(), new_secret()
    body = '{"id":"x","version":1}'
    timestamp = str(int(datetime.now(UTC).timestamp()))
    header = sign_standard(
        secrets=[new, old], message_id="m1", timestamp=timestamp, body=body.encode()
    )
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "m1", "webhook-timestamp": timestamp, "webhook-signature": header}
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"id": "x", "version": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace("1", "2"), headers)


def test_a_secret_of_your_own_verifies_as_its_bytes() -> None:
    secret = "my-own-secret-of-some-length"
    timestamp = str(int(datetime.now(UTC).timestamp()))
    header = sign_standard(secrets=[secret], message_id="m2", timestamp=timestamp, body=b"{}")
    headers = {"webhook-id": "m2", "webhook-timestamp": timestamp, "webhook-signature": header}
    assert Webhook(secret.encode()).verify("{}", headers) == {}


def test_secret_format_and_rotation_input_are_checked(db: Db) -> None:
    now = datetime.now(UTC)
    with db.factory() as session:
        with pytest.raises(InvalidInput, match="base64"):
            webhooks.add_subscription(
                session=session, url="http://x/h", secret="whsec_not*base64*at*all", now=now
            )
        sub = webhooks.add_subscription(session=session, url="http://x/h", now=now)
        with pytest.raises(InvalidInput, match="differ"):
            webhooks.rotate_secret(
                session=session, subscription_id=sub.id, secret=sub.secret, now=now
            )
        with pytest.raises(InvalidInput, match="negative"):
            webhooks.rotate_secret(
                session=session, subscription_id=sub.id, overlap=timedelta(seconds=-1), now=now
            )
        first = sub.secret
        webhooks.rotate_secret(
            session=session, subscription_id=sub.id, overlap=timedelta(0), now=now
        )
        # A zero overlap drops the old secret at once.
        assert sub.signing_secrets(now) == (sub.secret,)
        assert sub.secret != first
