"""Customers, their contacts and their tier: plain functions, session first, the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import Contact, Customer, CustomerTierChange, Site, Tier, TierSource

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True, slots=True)
class ContactData:
    name: str
    phone: str | None = None
    email: str | None = None
    role: str | None = None
    language: str = "en"

    def checked(self) -> ContactData:
        name = self.name.strip()
        if not name:
            raise InvalidInput("a contact needs a name")
        email = (self.email or "").strip() or None
        if email is not None and not _EMAIL.match(email):
            raise InvalidInput(f"{email!r} is not an e-mail address")
        language = (self.language or "en").strip()
        if not _LANGUAGE.match(language):
            raise InvalidInput(f"{language!r} is not a language tag such as en or de-CH")
        return ContactData(
            name=name,
            phone=(self.phone or "").strip() or None,
            email=email,
            role=(self.role or "").strip() or None,
            language=language,
        )


def get_customer(*, session: Session, customer_id: int) -> Customer:
    row = session.get(Customer, customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    return row


def find_customer(*, session: Session, name: str) -> Customer | None:
    return session.scalars(sa.select(Customer).where(Customer.name == name.strip())).first()


def list_customers(*, session: Session, customer_id: int | None = None) -> list[Customer]:
    query = sa.select(Customer).order_by(Customer.name)
    if customer_id is not None:
        query = query.where(Customer.id == customer_id)
    return list(session.scalars(query))


def create_customer(
    *,
    session: Session,
    name: str,
    tier: Tier = Tier.STANDARD,
    contacts: list[ContactData] | None = None,
    actor: str,
    now: datetime,
) -> Customer:
    name = name.strip()
    if not 0 < len(name) <= 200:
        raise InvalidInput("a customer needs a name of 1 to 200 characters")
    if find_customer(session=session, name=name) is not None:
        raise Conflict(f"a customer named {name!r} exists already")
    row = Customer(
        name=name,
        tier=Tier(tier),
        tier_set_by=actor,
        tier_set_at=now,
        tier_source=TierSource.MANUAL,
        created_at=now,
    )
    row.contacts = [Contact(**vars_of(c.checked())) for c in contacts or []]
    session.add(row)
    session.flush()
    session.add(
        CustomerTierChange(
            customer_id=row.id,
            tier=row.tier,
            previous=None,
            source=TierSource.MANUAL,
            set_by=actor,
            set_at=now,
            reason="customer created",
        )
    )
    session.flush()
    return row


def vars_of(contact: ContactData) -> dict[str, str | None]:
    return {
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "role": contact.role,
        "language": contact.language,
    }


def rename_customer(*, session: Session, customer_id: int, name: str) -> Customer:
    row = get_customer(session=session, customer_id=customer_id)
    name = name.strip()
    if not 0 < len(name) <= 200:
        raise InvalidInput("a customer needs a name of 1 to 200 characters")
    other = find_customer(session=session, name=name)
    if other is not None and other.id != row.id:
        raise Conflict(f"a customer named {name!r} exists already")
    row.name = name
    session.flush()
    return row


def set_tier(
    *,
    session: Session,
    customer_id: int,
    tier: Tier,
    actor: str,
    now: datetime,
    source: TierSource = TierSource.MANUAL,
    reason: str | None = None,
) -> Customer:
    """Change the tier, keeping who, when, from what and why in the history.

    Applies to work opened afterwards; open work keeps the deadlines it was given.
    """
    row = get_customer(session=session, customer_id=customer_id)
    tier = Tier(tier)
    if tier is row.tier:
        return row
    session.add(
        CustomerTierChange(
            customer_id=row.id,
            tier=tier,
            previous=row.tier,
            source=TierSource(source),
            set_by=actor,
            set_at=now,
            reason=(reason or "").strip()[:500] or None,
        )
    )
    row.tier, row.tier_set_by, row.tier_set_at, row.tier_source = tier, actor, now, source
    session.flush()
    return row


def tier_history(*, session: Session, customer_id: int) -> list[CustomerTierChange]:
    get_customer(session=session, customer_id=customer_id)
    query = (
        sa.select(CustomerTierChange)
        .where(CustomerTierChange.customer_id == customer_id)
        .order_by(CustomerTierChange.id)
    )
    return list(session.scalars(query))


def delete_customer(*, session: Session, customer_id: int) -> None:
    row = get_customer(session=session, customer_id=customer_id)
    if session.scalar(sa.select(sa.func.count()).where(Site.customer_id == row.id)):
        raise Conflict(f"customer {row.name!r} still has sites: delete or move them first")
    session.execute(sa.delete(CustomerTierChange).where(CustomerTierChange.customer_id == row.id))
    session.delete(row)
    session.flush()


# --- contacts -------------------------------------------------------------------------------------


def add_contact(*, session: Session, customer_id: int, contact: ContactData) -> Contact:
    customer = get_customer(session=session, customer_id=customer_id)
    row = Contact(customer_id=customer.id, **vars_of(contact.checked()))
    session.add(row)
    session.flush()
    return row


def get_contact(*, session: Session, contact_id: int, customer_id: int | None = None) -> Contact:
    row = session.get(Contact, contact_id)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound(
            f"no contact {contact_id}" + (f" of customer {customer_id}" if customer_id else "")
        )
    return row


def update_contact(
    *, session: Session, contact_id: int, customer_id: int, contact: ContactData
) -> Contact:
    row = get_contact(session=session, contact_id=contact_id, customer_id=customer_id)
    for name, value in vars_of(contact.checked()).items():
        setattr(row, name, value)
    session.flush()
    return row


def delete_contact(*, session: Session, contact_id: int, customer_id: int) -> None:
    session.delete(get_contact(session=session, contact_id=contact_id, customer_id=customer_id))
    session.flush()
