"""The record of each contact with a customer about a follow-up task, and the contracts'
first-year visit cadence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.contracts import get_contract
from customers.errors import InvalidInput
from customers.service import get_contact
from followup.surveys.models import (
    ContactChannel,
    ContractCadence,
    FollowUpContact,
    TaskStatus,
)
from followup.surveys.schedule import DEFAULT_FIRST_YEAR_MONTHS, FIRST_YEAR_CHOICES
from followup.surveys.tasks import finish, get_task

# A contact is recorded after it happened; a clock a little ahead is not an error.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ContactData:
    at: datetime
    channel: ContactChannel
    made_by: str
    summary: str
    contact_id: int | None = None
    spoke_with: str | None = None
    # True: this contact completes the task.
    done: bool = False


def record_contact(
    *, session: Session, task_id: int, data: ContactData, actor: str, now: datetime
) -> FollowUpContact:
    task = get_task(session=session, task_id=task_id)
    if data.at.tzinfo is None:
        raise InvalidInput("give the contact's time with its zone (e.g. 2026-03-02T10:15:00Z)")
    if data.at > now + _CLOCK_SKEW:
        raise InvalidInput(f"the contact at {data.at.isoformat()} is in the future")
    by, summary = data.made_by.strip(), data.summary.strip()
    if not 0 < len(by) <= 200:
        raise InvalidInput("say who made the contact (1 to 200 characters)")
    if not 0 < len(summary) <= 5000:
        raise InvalidInput("say what was said (1 to 5000 characters)")
    spoke_with = (data.spoke_with or "").strip() or None
    if spoke_with is not None and len(spoke_with) > 200:
        raise InvalidInput("spoke_with: at most 200 characters")
    if data.contact_id is not None:
        if task.customer_id is None:
            raise InvalidInput("this task's asset has no customer record, so no contact of it")
        get_contact(session=session, contact_id=data.contact_id, customer_id=task.customer_id)
    row = FollowUpContact(
        task_id=task.id,
        at=data.at,
        channel=ContactChannel(data.channel),
        made_by=by,
        contact_id=data.contact_id,
        spoke_with=spoke_with,
        summary=summary,
        recorded_at=now,
        recorded_by=actor,
    )
    session.add(row)
    if data.done and task.status is TaskStatus.OPEN:
        finish(session=session, task_id=task.id, status=TaskStatus.DONE, now=now)
    session.flush()
    return row


def list_contacts(*, session: Session, task_id: int) -> list[FollowUpContact]:
    get_task(session=session, task_id=task_id)
    query = sa.select(FollowUpContact).where(FollowUpContact.task_id == task_id)
    return list(session.scalars(query.order_by(FollowUpContact.at, FollowUpContact.id)))


def set_cadence(
    *, session: Session, contract_id: int, first_year_months: int, actor: str, now: datetime
) -> ContractCadence:
    get_contract(session=session, contract_id=contract_id)
    if first_year_months not in FIRST_YEAR_CHOICES:
        raise InvalidInput("first-year visits are every 3 (quarterly) or 6 (half-yearly) months")
    row = session.get(ContractCadence, contract_id)
    if row is None:
        row = ContractCadence(contract_id=contract_id)
        session.add(row)
    row.first_year_months, row.set_at, row.set_by = first_year_months, now, actor
    session.flush()
    return row


def cadence_of(*, session: Session, contract_id: int) -> int:
    get_contract(session=session, contract_id=contract_id)
    row = session.get(ContractCadence, contract_id)
    return row.first_year_months if row is not None else DEFAULT_FIRST_YEAR_MONTHS
