"""Escalation at 50, 75 and 100 % of each SLA deadline: fired once per level, told to the plan's
roles as a webhook event and by e-mail.

A milestone fires with ``UPDATE ... SET fired_at = :now WHERE id = :id AND fired_at IS NULL``:
two workers, or a restarted service, reading the same due milestone both try, and only the one
whose statement changed the row goes on (PostgreSQL re-checks the condition after waiting for
the other's row lock; SQLite runs one writer at a time). The mails are written in the same
transaction into their own outbox and sent afterwards by :func:`send_mails`, so a relay that is
down delays them and loses none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from customers.db import claim_lease
from notify.mail import Mail, Mailer, MailError
from workorders.db import in_transaction
from workorders.models import FINISHED, Status, WorkOrder
from workorders.sla import plans
from workorders.sla.models import ClockKind, EscalationMail, EscalationRole, Milestone, SlaPlan
from workorders.sla.service import plan_of
from workorders.webhooks.service import enqueue

log = logging.getLogger(__name__)

_MET = {
    ClockKind.RESPOND: WorkOrder.responded_at,
    ClockKind.ON_SITE: WorkOrder.on_site_at,
    ClockKind.RESOLVE: WorkOrder.resolved_at,
}
_WORDS = {
    ClockKind.RESPOND: "respond",
    ClockKind.ON_SITE: "be on site",
    ClockKind.RESOLVE: "resolve",
}
MAIL_LEASE = timedelta(minutes=2)
MAIL_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class Directory:
    """Who holds each role's mailbox. Dispatchers and service managers come from settings
    (``VIGIL_DISPATCHER_EMAILS``, ``VIGIL_SERVICE_MANAGER_EMAILS``); the assignee is an address
    already, or a name in ``staff`` (``VIGIL_STAFF_EMAILS``), or found by ``lookup`` (engineer
    records, wired in by the service)."""

    dispatchers: tuple[str, ...] = ()
    service_managers: tuple[str, ...] = ()
    staff: Mapping[str, str] = field(default_factory=dict)
    lookup: Callable[[Session, str], str | None] | None = None

    def addresses(self, session: Session, role: EscalationRole, wo: WorkOrder) -> list[str]:
        if role is EscalationRole.DISPATCHER:
            return list(self.dispatchers)
        if role is EscalationRole.SERVICE_MANAGER:
            return list(self.service_managers)
        if not wo.assignee:
            return []
        if "@" in wo.assignee:
            return [wo.assignee]
        found = self.staff.get(wo.assignee)
        if found is None and self.lookup is not None:
            found = self.lookup(session, wo.assignee)
        return [found] if found else []


@dataclass(frozen=True, slots=True)
class Fired:
    number: str
    clock: ClockKind
    level: int
    told: list[str]


def due_milestones(*, session: Session, now: datetime, limit: int = 200) -> list[Milestone]:
    """Unfired milestones of the current clock version that are due, of running clocks whose
    deadline is not met yet."""
    met = sa.or_(
        *[sa.and_(Milestone.clock == kind, col.is_not(None)) for kind, col in _MET.items()]
    )
    return list(
        session.scalars(
            sa.select(Milestone)
            .join(WorkOrder, WorkOrder.id == Milestone.work_order_id)
            .where(
                Milestone.fired_at.is_(None),
                Milestone.due_at <= now,
                Milestone.clock_version == WorkOrder.sla_clock_version,
                WorkOrder.sla_paused_since.is_(None),
                WorkOrder.status.not_in([*FINISHED, Status.RESOLVED.value]),
                sa.not_(met),
            )
            .order_by(Milestone.due_at, Milestone.id)
            .limit(limit)
        )
    )


def fire_due(
    *, session: Session, now: datetime, directory: Directory, sender: str, base_url: str = ""
) -> list[Fired]:
    """Fire every due milestone once (the caller commits)."""
    fired: list[Fired] = []
    for milestone in due_milestones(session=session, now=now):
        claimed = session.execute(
            sa.update(Milestone)
            .where(Milestone.id == milestone.id, Milestone.fired_at.is_(None))
            .values(fired_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            continue  # another worker fired it first
        session.refresh(milestone)
        wo = session.get_one(WorkOrder, milestone.work_order_id)
        fired.append(
            _tell(
                session=session,
                wo=wo,
                milestone=milestone,
                now=now,
                directory=directory,
                sender=sender,
                base_url=base_url,
            )
        )
    return fired


def _tell(
    *,
    session: Session,
    wo: WorkOrder,
    milestone: Milestone,
    now: datetime,
    directory: Directory,
    sender: str,
    base_url: str,
) -> Fired:
    plan = plan_of(session=session, wo=wo)
    roles = plans.roles_at(plan=plan, level=milestone.level)
    told: list[str] = []
    to: dict[str, str] = {}
    for role in roles:
        addresses = directory.addresses(session, role, wo)
        told.append(f"{role.value}: {', '.join(addresses) or 'no address known'}")
        for address in addresses:
            to.setdefault(address.lower(), role.value)
    if not to:
        # Never silent: with nobody of the plan's roles reachable, the service managers and
        # dispatchers hear of it; with none configured, the at-risk view and the webhook remain.
        for role in (EscalationRole.SERVICE_MANAGER, EscalationRole.DISPATCHER):
            for address in directory.addresses(session, role, wo):
                to.setdefault(address.lower(), role.value)
        told.append(
            f"fallback: {', '.join(to) or 'nobody to mail (set VIGIL_SERVICE_MANAGER_EMAILS)'}"
        )
        if not to:
            log.error(
                "escalation of %s %s %d%%: nobody to mail",
                wo.number,
                milestone.clock,
                milestone.level,
            )
    milestone.told = told
    subject, body = _text(wo=wo, milestone=milestone, plan=plan, base_url=base_url)
    for address, role_name in to.items():
        session.add(
            EscalationMail(
                milestone_id=milestone.id,
                role=role_name,
                address=address,
                subject=subject,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
    escalation = {
        "clock": milestone.clock.value,
        "level": milestone.level,
        "due_at": milestone.due_at.isoformat(),
        "deadline": getattr(wo, f"{milestone.clock.value}_by").isoformat(),
        "fired_at": now.isoformat(),
        "clock_version": milestone.clock_version,
        "roles": [r.value for r in roles],
        "plan": plan.name,
    }
    enqueue(
        session=session,
        event_type="work_order.escalated",
        work_order=wo,
        now=now,
        extra={"escalation": escalation},
    )
    session.flush()
    return Fired(wo.number, milestone.clock, milestone.level, told)


def _text(*, wo: WorkOrder, milestone: Milestone, plan: SlaPlan, base_url: str) -> tuple[str, str]:
    deadline = getattr(wo, f"{milestone.clock.value}_by")
    what = _WORDS[milestone.clock]
    state = "OVERDUE" if milestone.level >= 100 else f"{milestone.level} % of the time used"
    subject = f"[Vigil] {wo.number} {state}: {what} by {deadline:%Y-%m-%d %H:%M} UTC ({wo.priority.value})"
    a = wo.asset
    lines = [
        f"Work order {wo.number} ({wo.priority.value}, {wo.status.value}): {wo.fault_title}",
        f"Asset {a.asset} at site {a.site}, customer {a.customer}.",
        "",
        f"Deadline to {what}: {deadline.isoformat()} (SLA plan {plan.name!r}).",
        f"Escalation level: {milestone.level} % (reached {milestone.due_at.isoformat()}).",
        f"Assignee: {wo.assignee or 'nobody yet'}.",
    ]
    if base_url:
        lines += ["", f"{base_url.rstrip('/')}/dashboard/sla/at-risk"]
    return subject, "\n".join(lines) + "\n"


def tick(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    directory: Directory,
    sender: str,
    base_url: str = "",
) -> list[Fired]:
    """One run of the escalation job: fire what is due, in one transaction."""
    return in_transaction(
        session_factory,
        lambda session: fire_due(
            session=session, now=now, directory=directory, sender=sender, base_url=base_url
        ),
    )


def send_mails(
    *, session_factory: sessionmaker[Session], mailer: Mailer, sender: str, now: datetime
) -> int:
    """Hand the waiting escalation mails to the mailer; returns how many went out.

    Each mail is claimed with a lease first (a guarded UPDATE, committed), then sent, then
    marked sent: a crash between sending and marking sends it again after the lease, with the
    same Message-ID, never loses it.
    """
    with session_factory() as session:
        waiting = session.scalars(
            sa.select(EscalationMail.id)
            .where(
                EscalationMail.sent_at.is_(None),
                EscalationMail.next_attempt_at <= now,
                EscalationMail.attempts < MAIL_ATTEMPTS,
            )
            .order_by(EscalationMail.id)
            .limit(50)
        ).all()
    sent = 0
    for mail_id in waiting:
        if _send_one(session_factory, mailer, mail_id, sender=sender, now=now):
            sent += 1
    return sent


def _send_one(
    session_factory: sessionmaker[Session],
    mailer: Mailer,
    mail_id: int,
    *,
    sender: str,
    now: datetime,
) -> bool:
    mail = in_transaction(session_factory, lambda s: _claim(s, mail_id, now, sender))
    if mail is None:
        return False  # another sender has it
    try:
        mailer.send(mail)
    except MailError as error:
        reason = str(error)
        in_transaction(session_factory, lambda s: _failed(s, mail_id, now, reason))
        log.warning("escalation mail %s: %s", mail_id, reason)
        return False
    in_transaction(session_factory, lambda s: _sent(s, mail_id, now))
    return True


def _claim(session: Session, mail_id: int, now: datetime, sender: str) -> Mail | None:
    if not claim_lease(
        session,
        EscalationMail,
        mail_id,
        waiting=EscalationMail.sent_at.is_(None),
        now=now,
        lease=MAIL_LEASE,
    ):
        return None
    row = session.get_one(EscalationMail, mail_id)
    return Mail(
        to=(row.address,),
        subject=row.subject,
        body=row.body,
        sender=sender,
        message_id=f"<escalation-{row.milestone_id}-{row.id}@vigil>",
        headers={"X-Vigil-Escalation": str(row.milestone_id)},
    )


def _sent(session: Session, mail_id: int, now: datetime) -> None:
    session.execute(
        sa.update(EscalationMail)
        .where(EscalationMail.id == mail_id)
        .values(sent_at=now, last_error=None)
    )


def _failed(session: Session, mail_id: int, now: datetime, error: str) -> None:
    row = session.get_one(EscalationMail, mail_id)
    row.last_error = error[:500]
    row.next_attempt_at = now + timedelta(seconds=min(3600, 15 * 2 ** min(row.attempts, 8)))
