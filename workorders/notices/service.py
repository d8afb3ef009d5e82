"""Noting a step for the customer, and composing its mail: to whom, in which language, saying what.

Each domain that knows a step notes it in its own transaction: the work order's creation and
resolution here in ``workorders``, the dispatch with its arrival window in ``field``, the survey
invitation in ``followup``. Nothing is sent here (see ``outbox``).

Who is told: the contact the step names (a survey's), else the contact of the request the work
order came from, else the customer's first contact with an e-mail address. Their language is the
contact's; a request's free-typed address matching no contact gets English.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from customers.models import Asset, Contact, Customer, Site
from notify.templates import Rendered, render
from workorders.models import Kind, WorkOrder
from workorders.notices.models import CustomerNotice, Step
from workorders.requests.models import ServiceRequest

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The customer is told the hour the engineer should arrive in, not a minute.
ARRIVAL_WINDOW = timedelta(hours=1)
# Work the customer has no part in: a gateway's data problem is ours to fix.
_TOLD_KINDS = (Kind.EQUIPMENT, Kind.SERVICE)


def note(
    *,
    session: Session,
    key: str,
    step: Step,
    now: datetime,
    work_order_id: uuid.UUID | None,
    facts: Mapping[str, Any] | None = None,
) -> CustomerNotice | None:
    """Record that the customer is to be told of ``step``; None when ``key`` was noted before."""
    if session.scalar(sa.select(CustomerNotice.id).where(CustomerNotice.key == key)) is not None:
        return None
    row = CustomerNotice(
        key=key,
        work_order_id=work_order_id,
        step=step,
        facts=dict(facts or {}),
        created_at=now,
        next_attempt_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent transaction noted it first
        return None
    return row


def received(*, session: Session, wo: WorkOrder, now: datetime) -> CustomerNotice | None:
    if wo.kind not in _TOLD_KINDS:
        return None
    return note(
        session=session, key=f"{wo.id}:received", step=Step.RECEIVED, now=now, work_order_id=wo.id
    )


def done(*, session: Session, wo: WorkOrder, now: datetime) -> CustomerNotice | None:
    """Once per resolution: a repeat repair resolved again is told again."""
    if wo.kind not in _TOLD_KINDS:
        return None
    return note(
        session=session,
        key=f"{wo.id}:done:{wo.repeat_count}",
        step=Step.DONE,
        now=now,
        work_order_id=wo.id,
    )


def on_the_way(
    *,
    session: Session,
    wo: WorkOrder,
    dispatch_id: int,
    engineer: str,
    arrival: datetime | None,
    now: datetime,
) -> CustomerNotice | None:
    """Once per dispatch: sending someone else tells the customer the new name and window."""
    if wo.kind not in _TOLD_KINDS:
        return None
    facts: dict[str, Any] = {"engineer": engineer}
    if arrival is not None:
        facts["arrival"] = arrival.isoformat()
    return note(
        session=session,
        key=f"{wo.id}:on_the_way:{dispatch_id}",
        step=Step.ON_THE_WAY,
        now=now,
        work_order_id=wo.id,
        facts=facts,
    )


def survey(
    *,
    session: Session,
    survey_id: int,
    work_order_id: uuid.UUID | None,
    asset_id: int,
    contact_id: int | None,
    link: str,
    expires_at: datetime,
    now: datetime,
) -> CustomerNotice | None:
    """The invitation; ``link`` holds the one-time token, so it is dropped once sent."""
    return note(
        session=session,
        key=f"survey:{survey_id}",
        step=Step.SURVEY,
        now=now,
        work_order_id=work_order_id,
        facts={
            "link": link,
            "expires_at": expires_at.isoformat(),
            "asset_id": asset_id,
            "contact_id": contact_id,
        },
    )


# --- composing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    language: str
    name: str | None
    contact_id: int | None


def _contact(contact: Contact) -> Recipient | None:
    if not contact.email:
        return None
    return Recipient(contact.email, contact.language or "en", contact.name, contact.id)


def recipient(
    *, session: Session, customer_id: int | None, work_order_id: uuid.UUID | None, contact_id: Any
) -> Recipient | None:
    if isinstance(contact_id, int):
        named = session.get(Contact, contact_id)
        if named is not None and named.email:
            return _contact(named)
    if work_order_id is not None:
        requests = session.execute(
            sa.select(ServiceRequest.contact_id, ServiceRequest.contact_email)
            .where(ServiceRequest.work_order_id == work_order_id)
            .where(
                sa.or_(ServiceRequest.contact_id.is_not(None), ServiceRequest.contact_email != "")
            )
            .order_by(ServiceRequest.received_at)
        ).all()
        for request_contact, typed in requests:
            known = session.get(Contact, request_contact) if request_contact else None
            if known is not None and known.email:
                return _contact(known)
            if typed:
                same = session.scalars(
                    sa.select(Contact).where(
                        Contact.customer_id == customer_id,
                        sa.func.lower(Contact.email) == typed.lower(),
                    )
                ).first()
                return _contact(same) if same is not None else Recipient(typed, "en", None, None)
    if customer_id is None:
        return None
    first = session.scalars(
        sa.select(Contact)
        .where(Contact.customer_id == customer_id, Contact.email.is_not(None), Contact.email != "")
        .order_by(Contact.id)
    ).first()
    return _contact(first) if first is not None else None


@dataclass(frozen=True, slots=True)
class Composed:
    to: Recipient
    rendered: Rendered


class NobodyToTell(Exception):
    """No contact of the customer has an e-mail address (the notice is skipped, saying so)."""


def compose(*, session: Session, notice: CustomerNotice, templates: Path = TEMPLATES) -> Composed:
    """The mail of a noted step; NobodyToTell when there is no address to send it to."""
    facts = notice.facts
    wo = session.get(WorkOrder, notice.work_order_id) if notice.work_order_id else None
    asset = wo.asset if wo is not None else session.get(Asset, facts.get("asset_id"))
    if asset is None:
        raise NobodyToTell("the work order or asset is gone")
    site = asset.site_record
    customer = session.get(Customer, site.customer_id) if site is not None else None
    to = recipient(
        session=session,
        customer_id=customer.id if customer else None,
        work_order_id=notice.work_order_id,
        contact_id=facts.get("contact_id"),
    )
    if to is None:
        raise NobodyToTell(
            "no contact e-mail: give the customer's contact an e-mail address"
            if customer is not None
            else f"asset {asset.asset} is not on a customer's site record: nobody to tell"
        )
    context = _context(wo=wo, asset=asset, site=site, customer=customer, to=to, facts=facts)
    return Composed(to, render(templates, notice.step.value, language=to.language, context=context))


def _context(
    *,
    wo: WorkOrder | None,
    asset: Asset,
    site: Site | None,
    customer: Customer | None,
    to: Recipient,
    facts: Mapping[str, Any],
) -> dict[str, Any]:
    zone = ZoneInfo(site.timezone) if site is not None else ZoneInfo("UTC")
    context: dict[str, Any] = {
        "contact": to.name,
        "customer": customer.name if customer else asset.customer,
        "site": site.name if site is not None else asset.site,
        "asset": asset.asset,
        "asset_model": asset.model,
        "number": wo.number if wo else None,
        "fault": wo.fault_title if wo else None,
        "alert": wo is not None and wo.channel == "alert",
        "zone": str(zone),
        "engineer": facts.get("engineer"),
        "arrival": None,
        "link": facts.get("link"),
        "expires": None,
    }
    if "arrival" in facts:
        start = datetime.fromisoformat(facts["arrival"]).astimezone(zone)
        # The window starts at the quarter hour before the estimate.
        start = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0)
        end = start + ARRIVAL_WINDOW
        context["arrival"] = {
            "day": f"{start:%Y-%m-%d}",
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
    if "expires_at" in facts:
        context["expires"] = (
            f"{datetime.fromisoformat(facts['expires_at']).astimezone(zone):%Y-%m-%d}"
        )
    return context
