"""Work orders into a real Request Tracker 5 and its status changes back (the RT connector)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.workorders.dbkit import decision
from tests.workorders.rtserver import USER, RtServer
from vigil.settings import SettingsError, load_settings
from workorders import browse, from_alerts, service
from workorders.connectors.base import Push
from workorders.connectors.models import TicketLink
from workorders.connectors.rt import ID_FIELD, RtConfig, RtConnector
from workorders.connectors.scheduled import sync_status
from workorders.db import make_engine, session_factory
from workorders.errors import InvalidInput
from workorders.models import Priority, Status, WorkOrder
from workorders.webhooks import service as webhooks
from workorders.webhooks.models import DeliveryStatus
from workorders.webhooks.scheduled import DeliveryReport, RetryPolicy, deliver_due

# One xdist worker runs them all (scripts/test uses --dist loadgroup): RT starts once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("rt")]

FAST = RetryPolicy(timeout_s=5.0, base_delay_s=1.0, max_delay_s=8.0, max_age_s=3600)
# Beyond the lease a crashed worker held (timeout * (per_receiver + 1) + 30 s).
AFTER_LEASE = timedelta(seconds=5.0 * 21 + 31)


@dataclass
class Vigil:
    """One Vigil process's view: its database sessions, HTTP client and RT connector."""

    sessions: sessionmaker[Session]
    client: httpx.Client
    rt: RtConnector

    def deliver(self, now: datetime) -> DeliveryReport:
        return deliver_due(
            session_factory=self.sessions,
            http_client=self.client,
            now=now,
            policy=FAST,
            connectors={"rt": self.rt},
        )


CONFIG = RtConfig(
    user=USER,
    password="password",
    queue_by="site",
    queues={"plant-north": "North"},
    default_queue="General",
    timeout_s=5.0,
)


@pytest.fixture(scope="module")
def queues(rt_server: RtServer) -> None:
    rt_server.send("POST", "/queue", {"Name": "North"})


@pytest.fixture
def db_file(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "vigil.db"
    shutil.copy(sqlite_template, path)
    return path


@contextmanager
def start_vigil(db_file: Path) -> Iterator[Vigil]:
    engine = make_engine(f"sqlite:///{db_file}")
    with httpx.Client() as client:
        yield Vigil(session_factory(engine), client, RtConnector(CONFIG, client))
    engine.dispose()


@pytest.fixture
def vigil(db_file: Path, rt_server: RtServer, queues: None) -> Iterator[Vigil]:
    with start_vigil(db_file) as started:
        yield started


def _subscribe(v: Vigil, rt: RtServer, now: datetime) -> uuid.UUID:
    with v.sessions() as session:
        sub = webhooks.add_subscription(session=session, url=rt.url, connector="rt", now=now)
        session.commit()
        return sub.id


def _open(v: Vigil, site: str, asset: str, now: datetime, score: float = 1.5) -> WorkOrder:
    with v.sessions() as session:
        wo = from_alerts.open_for_alert(
            session=session, decision=decision(site=site, asset=asset, at=now, score=score), now=now
        ).work_order
        session.commit()
        return wo


def _tickets_of(rt: RtServer, work_order_id: uuid.UUID) -> list[dict[str, object]]:
    return rt.tickets(f"CF.{{{ID_FIELD}}} = '{work_order_id}'")


def _fields(ticket: dict[str, object]) -> dict[str, str]:
    values = ticket["CustomFields"]
    assert isinstance(values, list)
    return {cf["name"]: cf["values"][0] for cf in values if cf["values"]}


def _history(rt: RtServer, ticket_id: str) -> list[dict[str, str]]:
    response = rt.get(f"/ticket/{ticket_id}/history", fields="Type,OldValue,NewValue")
    items: list[dict[str, str]] = response.json()["items"]
    return items


def test_work_orders_become_tickets_and_rt_status_comes_back(
    vigil: Vigil, rt_server: RtServer
) -> None:
    now = datetime.now(UTC)
    sub_id = _subscribe(vigil, rt_server, now)
    north = _open(vigil, "plant-north", "pump-n1", now, score=4.0)
    south = _open(vigil, "plant-south", "fan-s1", now)
    report = vigil.deliver(now)
    assert (report.delivered, report.failed) == (2, 0)

    (ticket,) = _tickets_of(rt_server, north.id)
    queue = rt_server.get(f"/queue/{ticket['Queue']['id']}").json()  # type: ignore[index]
    assert queue["Name"] == "North"  # the queue rule: by site
    fields = _fields(ticket)
    assert fields[ID_FIELD] == str(north.id)
    assert fields["Vigil Number"] == north.number
    assert fields["Vigil Asset"] == "plant-north / pump-n1 (pump)"
    assert fields["Vigil Fault"].startswith("mechanical: ")
    assert fields["Vigil Priority"] == north.priority.value
    assert fields["Vigil Respond By"] == north.respond_by.isoformat().replace("+00:00", "Z")
    assert fields["Vigil On Site By"] == north.on_site_by.isoformat().replace("+00:00", "Z")
    assert str(north.number) in str(ticket["Subject"])
    (south_ticket,) = _tickets_of(rt_server, south.id)
    south_queue = rt_server.get(f"/queue/{south_ticket['Queue']['id']}").json()  # type: ignore[index]
    assert south_queue["Name"] == "General"
    with vigil.sessions() as session:
        links = {link.work_order_id: link.ticket_ref for link in session.query(TicketLink)}
    assert links == {north.id: str(ticket["id"]), south.id: str(south_ticket["id"])}

    # A later change in Vigil: a comment on the ticket, fields refreshed.
    with vigil.sessions() as session:
        service.assign(
            session=session,
            work_order_id=north.id,
            assignee="j.smith",
            expected_version=1,
            actor="dispatcher",
            now=now,
        )
        session.commit()
    assert vigil.deliver(now + timedelta(seconds=1)).delivered == 1
    history = _history(rt_server, str(ticket["id"]))
    assert [h["Type"] for h in history].count("Comment") == 1
    assert len(_tickets_of(rt_server, north.id)) == 1

    # Status changes made in RT come back as transitions.
    rt_server.send("PUT", f"/ticket/{ticket['id']}", {"Status": "open"})
    synced = sync_status(session_factory=vigil.sessions, connectors={"rt": vigil.rt}, now=now)
    assert (synced.applied, synced.errors) == (1, {})
    rt_server.send("PUT", f"/ticket/{ticket['id']}", {"Status": "resolved"})
    rt_server.send("PUT", f"/ticket/{south_ticket['id']}", {"Status": "rejected"})
    synced = sync_status(session_factory=vigil.sessions, connectors={"rt": vigil.rt}, now=now)
    assert (synced.applied, synced.refused, synced.errors) == (2, 0, {})
    with vigil.sessions() as session:
        assert service.get_work_order(session=session, ref=north.id).status is Status.RESOLVED
        assert service.get_work_order(session=session, ref=south.id).status is Status.CANCELLED
        actions = [a.action for a in browse.audit_log(session=session, work_order_id=north.id)]
        actors = {a.actor for a in browse.audit_log(session=session, work_order_id=north.id)}
        cursor = webhooks.get_subscription(session=session, subscription_id=sub_id).sync_cursor
    assert actions[-2:] == [
        f"status:open->acknowledged (RT #{ticket['id']}: new -> open)",
        f"status:acknowledged->resolved (RT #{ticket['id']}: open -> resolved)",
    ]
    assert "rt" in actors
    assert cursor is not None
    # Nothing new in RT: nothing happens; the transitions went to RT as comments.
    again = sync_status(session_factory=vigil.sessions, connectors={"rt": vigil.rt}, now=now)
    assert (again.applied, again.ignored) == (0, 0)
    assert vigil.deliver(now + timedelta(seconds=2)).delivered == 3
    assert [h["Type"] for h in _history(rt_server, str(ticket["id"]))].count("Comment") == 3


class _Crash(BaseException):
    """The process dies: not an error anything would catch and record."""


class CrashAfterCreating(RtConnector):
    def deliver(self, push: Push) -> str:
        super().deliver(push)
        raise _Crash


def test_a_restart_in_the_middle_makes_no_second_ticket(
    db_file: Path, rt_server: RtServer, queues: None
) -> None:
    now = datetime.now(UTC)
    with start_vigil(db_file) as first:
        _subscribe(first, rt_server, now)
        wo = _open(first, "plant-east", "pump-e1", now)
        # RT creates the ticket, then Vigil dies before it records the delivery.
        first.rt = CrashAfterCreating(CONFIG, first.client)
        with pytest.raises(_Crash):
            first.deliver(now)
        assert len(_tickets_of(rt_server, wo.id)) == 1
        with first.sessions() as session:
            (pending,) = webhooks.list_deliveries(session=session)
            assert pending.status is DeliveryStatus.PENDING
            assert session.query(TicketLink).count() == 0

    # A new process on the same database, once the dead worker's lease has run out.
    with start_vigil(db_file) as restarted:
        report = restarted.deliver(now + AFTER_LEASE)
        assert (report.delivered, report.failed) == (1, 0)
        (ticket,) = _tickets_of(rt_server, wo.id)
        with restarted.sessions() as session:
            (link,) = session.query(TicketLink).all()
            assert link.ticket_ref == str(ticket["id"])
            # A retried delivery (replayed, and with the link lost too) finds the same ticket.
            webhooks.replay(session=session, delivery_id=pending.id, now=now + AFTER_LEASE)
            session.delete(link)
            session.commit()
        assert restarted.deliver(now + AFTER_LEASE).delivered == 1
        assert len(_tickets_of(rt_server, wo.id)) == 1
        assert [h["Type"] for h in _history(rt_server, str(ticket["id"]))].count("Create") == 1


def test_rt_down_for_a_while_loses_nothing(vigil: Vigil, rt_server: RtServer) -> None:
    start = datetime.now(UTC)
    _subscribe(vigil, rt_server, start)
    rt_server.stop()
    try:
        made = [
            _open(vigil, "plant-west", f"pump-w{i}", start + timedelta(milliseconds=i))
            for i in range(3)
        ]
        with vigil.sessions() as session:
            service.transition(
                session=session,
                work_order_id=made[0].id,
                to=Status.DISPATCHED,
                expected_version=1,
                actor="t",
                now=start + timedelta(milliseconds=3),
            )
            session.commit()
        for step in range(6):
            report = vigil.deliver(start + timedelta(seconds=5 * step))
            assert report.delivered == 0
            assert report.failed <= 1
        synced = sync_status(session_factory=vigil.sessions, connectors={"rt": vigil.rt}, now=start)
        assert "ConnectError" in next(iter(synced.errors.values()))
        with vigil.sessions() as session:
            log = webhooks.list_deliveries(session=session)
            assert {d.status for d in log} == {DeliveryStatus.PENDING}
            failed = [d for d in log if d.attempts > 0]
            assert failed
            assert all("ConnectError" in (d.last_error or "") for d in failed)
    finally:
        rt_server.start()
    delivered = 0
    for step in range(6, 30):
        delivered += vigil.deliver(start + timedelta(seconds=5 * step)).delivered
        if delivered == 4:
            break
    assert delivered == 4
    for wo in made:
        (ticket,) = _tickets_of(rt_server, wo.id)
        comments = [h["Type"] for h in _history(rt_server, str(ticket["id"]))].count("Comment")
        assert comments == (1 if wo.id == made[0].id else 0)
        assert _fields(ticket)["Vigil Priority"] in {p.value for p in Priority}


def test_unconfigured_or_unknown_connector_is_said_clearly(db_file: Path) -> None:
    now = datetime.now(UTC)
    with start_vigil(db_file) as v:
        with v.sessions() as session, pytest.raises(InvalidInput, match="unknown connector"):
            webhooks.add_subscription(
                session=session, url="https://x.example.com", connector="jira", now=now
            )
        with v.sessions() as session:
            webhooks.add_subscription(
                session=session, url="https://rt.example.com", connector="rt", now=now
            )
            session.commit()
        _open(v, "plant-a", "pump-1", now)
        report = deliver_due(session_factory=v.sessions, http_client=v.client, now=now, policy=FAST)
        assert (report.delivered, report.failed) == (0, 1)
        with v.sessions() as session:
            (delivery,) = webhooks.list_deliveries(session=session)
            assert "connector 'rt' is not configured" in (delivery.last_error or "")
    with pytest.raises(SettingsError, match="VIGIL_RT_PASSWORD"):
        load_settings(rt_user="vigil")
