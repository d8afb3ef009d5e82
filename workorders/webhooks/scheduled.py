"""The delivery worker: POST due outbox deliveries to their receivers (the scheduler calls it).

Each run claims due deliveries (a lease, so several processes can run it), sends them with one
thread per receiver and a short timeout, then records the outcomes. Isolation between receivers:

- a receiver whose oldest delivery is waiting for a retry gets nothing else until that retry
  (per-receiver backoff: a dead receiver costs one timed-out request per backoff step);
- within a run, the first failure of a receiver stops that receiver's remaining sends;
- receivers are sent to concurrently, so a slow one delays the others by nothing but the run.

No database work happens in the sending threads: the caller's session factory is used from the
calling thread only.

A subscription with a ``connector`` (e.g. ``rt``) is delivered by that connector's ``deliver``
instead of a POST, with the same claiming, ordering, backoff and delivery log; the ticket it
returns is linked to the work order (``TicketLink``) when the outcome is recorded.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from workorders.connectors.base import ConnectorError, Push, TicketConnector
from workorders.connectors.models import TicketLink
from workorders.db import in_transaction
from workorders.models import WorkOrderDocument
from workorders.webhooks.models import Delivery, DeliveryStatus, Subscription
from workorders.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    STANDARD_ID_HEADER,
    STANDARD_SIGNATURE_HEADER,
    STANDARD_TIMESTAMP_HEADER,
    TIMESTAMP_HEADER,
    sign,
    sign_standard,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    timeout_s: float = 5.0
    base_delay_s: float = 2.0
    max_delay_s: float = 900.0
    # After this long without success a delivery is dead-lettered (settings.webhook_max_age_s).
    max_age_s: float = 24 * 3600.0
    per_receiver: int = 20
    max_receivers: int = 16
    # One deliver_due call stops starting new passes after this long.
    run_budget_s: float = 5.0

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        step = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempts - 1))
        return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


@dataclass(frozen=True, slots=True)
class _Job:
    delivery_id: uuid.UUID
    url: str
    # The current secret first; during a rotation also the previous one.
    secrets: tuple[str, ...]
    event_type: str
    body: str
    connector: str | None = None
    ticket_ref: str | None = None


@dataclass(frozen=True, slots=True)
class _Result:
    delivery_id: uuid.UUID
    sent: bool
    status_code: int | None = None
    error: str | None = None
    # The ticket a connector delivered to.
    ticket_ref: str | None = None

    @property
    def ok(self) -> bool:
        return self.sent and self.error is None


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    # Claimed but not sent because the same receiver failed earlier in this run.
    deferred: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def _push(connectors: Mapping[str, TicketConnector], job: _Job) -> _Result:
    connector = connectors.get(job.connector or "")
    if connector is None:
        problem = (
            f"connector {job.connector!r} is not configured (see docs/ticketing-integration.md)"
        )
        return _Result(job.delivery_id, sent=True, error=problem)
    push = Push(
        url=job.url,
        delivery_id=job.delivery_id,
        event_type=job.event_type,
        document=WorkOrderDocument.model_validate_json(job.body),
        ticket_ref=job.ticket_ref,
    )
    try:
        ticket = connector.deliver(push)
    except ConnectorError as exc:
        return _Result(job.delivery_id, sent=True, error=str(exc))
    return _Result(job.delivery_id, sent=True, ticket_ref=ticket)


def _send(
    client: httpx.Client,
    connectors: Mapping[str, TicketConnector],
    jobs: list[_Job],
    timeout_s: float,
    now: datetime,
) -> list[_Result]:
    results: list[_Result] = []
    timestamp = str(int(now.timestamp()))
    for job in jobs:
        if results and not results[-1].ok:
            results.append(_Result(job.delivery_id, sent=False))
            continue
        if job.connector is not None:
            results.append(_push(connectors, job))
            continue
        body = job.body.encode()
        delivery = str(job.delivery_id)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Vigil-Webhooks/1",
            EVENT_HEADER: job.event_type,
            DELIVERY_HEADER: delivery,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret=job.secrets[0], timestamp=timestamp, body=body),
            STANDARD_ID_HEADER: delivery,
            STANDARD_TIMESTAMP_HEADER: timestamp,
            STANDARD_SIGNATURE_HEADER: sign_standard(
                secrets=job.secrets, message_id=delivery, timestamp=timestamp, body=body
            ),
        }
        try:
            response = client.post(job.url, content=body, headers=headers, timeout=timeout_s)
        except httpx.HTTPError as exc:
            results.append(
                _Result(job.delivery_id, sent=True, error=f"{type(exc).__name__}: {exc}")
            )
            continue
        problem = None
        if not response.is_success:
            problem = f"HTTP {response.status_code}: {response.text[:200]}"
        results.append(
            _Result(job.delivery_id, sent=True, status_code=response.status_code, error=problem)
        )
    return results


def _claim(session: Session, now: datetime, policy: RetryPolicy) -> dict[uuid.UUID, list[_Job]]:
    backing_off = (
        sa.select(Delivery.subscription_id)
        .where(
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.attempts > 0,
            Delivery.next_attempt_at > now,
        )
        .scalar_subquery()
    )
    query = (
        sa.select(Delivery, Subscription)
        .join(Subscription, Delivery.subscription_id == Subscription.id)
        .where(
            Subscription.active,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now,
            sa.or_(Delivery.lease_until.is_(None), Delivery.lease_until < now),
            Delivery.subscription_id.not_in(backing_off),
        )
        .order_by(Delivery.created_at, Delivery.id)
        .limit(policy.per_receiver * policy.max_receivers)
        # PostgreSQL: another worker process skips rows this one is claiming (SQLite ignores it).
        .with_for_update(skip_locked=True, of=Delivery)
    )
    lease = now + timedelta(seconds=policy.timeout_s * (policy.per_receiver + 1) + 30)
    jobs: dict[uuid.UUID, list[_Job]] = defaultdict(list)
    for delivery, sub in session.execute(query):
        if len(jobs[sub.id]) >= policy.per_receiver:
            continue
        delivery.lease_until = lease
        ticket = None
        if sub.connector is not None:
            ticket = session.scalar(
                sa.select(TicketLink.ticket_ref).where(
                    TicketLink.subscription_id == sub.id,
                    TicketLink.work_order_id == delivery.event.work_order_id,
                )
            )
        jobs[sub.id].append(
            _Job(
                delivery.id,
                sub.url,
                sub.signing_secrets(now),
                delivery.event.event_type,
                delivery.event.body,
                sub.connector,
                ticket,
            )
        )
    return jobs


def _record(
    session: Session, results: list[_Result], now: datetime, policy: RetryPolicy, rng: random.Random
) -> DeliveryReport:
    report = DeliveryReport()
    for result in results:
        delivery = session.get(Delivery, result.delivery_id)
        if delivery is None:  # its subscription was removed meanwhile
            continue
        delivery.lease_until = None
        if not result.sent:
            report.deferred += 1
            continue
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = result.status_code
        delivery.last_error = result.error
        if result.ok:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            report.delivered += 1
            if result.ticket_ref is not None:
                _link(session, delivery, result.ticket_ref, now)
            continue
        report.failed += 1
        report.errors[str(delivery.id)] = result.error or "failed"
        retry_at = now + policy.delay(delivery.attempts, rng)
        if (retry_at - delivery.created_at).total_seconds() > policy.max_age_s:
            delivery.status = DeliveryStatus.DEAD
            report.dead += 1
        else:
            delivery.next_attempt_at = retry_at
    return report


def _link(session: Session, delivery: Delivery, ticket_ref: str, now: datetime) -> None:
    work_order_id = delivery.event.work_order_id
    link = session.scalar(
        sa.select(TicketLink).where(
            TicketLink.subscription_id == delivery.subscription_id,
            TicketLink.work_order_id == work_order_id,
        )
    )
    if link is None:
        session.add(
            TicketLink(
                subscription_id=delivery.subscription_id,
                work_order_id=work_order_id,
                ticket_ref=ticket_ref,
                created_at=now,
            )
        )
        # Two deliveries of one work order in one run: the second must see the first's link.
        session.flush()
    else:
        link.ticket_ref = ticket_ref


def _pass(
    session_factory: sessionmaker[Session],
    http_client: httpx.Client,
    connectors: Mapping[str, TicketConnector],
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> DeliveryReport:
    jobs = in_transaction(session_factory, lambda session: _claim(session, now, policy))
    if not jobs:
        return DeliveryReport()
    workers = min(len(jobs), policy.max_receivers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook") as pool:
        batches = list(
            pool.map(
                lambda js: _send(http_client, connectors, js, policy.timeout_s, now),
                jobs.values(),
            )
        )
    results = [r for batch in batches for r in batch]
    report = in_transaction(
        session_factory, lambda session: _record(session, results, now, policy, rng)
    )
    report.claimed = sum(len(js) for js in jobs.values())
    return report


def deliver_due(
    *,
    session_factory: sessionmaker[Session],
    http_client: httpx.Client,
    now: datetime,
    policy: RetryPolicy | None = None,
    rng: random.Random | None = None,
    connectors: Mapping[str, TicketConnector] | None = None,
) -> DeliveryReport:
    """Send what is due as of ``now``; returns what happened. Safe to run from several processes.

    Passes of up to ``per_receiver`` deliveries per receiver repeat while they make progress,
    for at most ``run_budget_s``: a backlog drains at the receivers' pace, not one batch per
    scheduler tick. A failed delivery is due again only after ``now``, so it is tried once here.
    """
    policy = policy or RetryPolicy()
    rng = rng or random.Random()
    total = DeliveryReport()
    deadline = time.monotonic() + policy.run_budget_s
    while True:
        report = _pass(session_factory, http_client, connectors or {}, now, policy, rng)
        total.claimed += report.claimed
        total.delivered += report.delivered
        total.failed += report.failed
        total.dead += report.dead
        total.deferred += report.deferred
        total.errors |= report.errors
        if report.delivered + report.failed == 0 or time.monotonic() >= deadline:
            return total
