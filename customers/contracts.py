"""Contracts (warranty or paid) and what they cover: is work on an asset paid for, or billable?"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import Asset, Contract, ContractKind
from customers.service import get_customer


@dataclass(slots=True)
class ContractData:
    number: str
    kind: ContractKind
    starts_on: date
    ends_on: date
    sla_plan: str | None = None
    all_assets: bool = True
    asset_ids: list[int] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    # What the customer pays over the whole term, for the customer value (RFM) analysis.
    value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Cover:
    """What pays for work on an asset on a day: ``kind`` None means nothing (billable)."""

    kind: ContractKind | None
    contract: str | None
    reason: str

    @property
    def billable(self) -> bool:
        return self.kind is None


def get_contract(*, session: Session, contract_id: int, customer_id: int | None = None) -> Contract:
    row = session.get(Contract, contract_id)
    if row is None or (customer_id is not None and row.customer_id != customer_id):
        raise NotFound(f"no contract {contract_id}")
    return row


def list_contracts(*, session: Session, customer_id: int | None = None) -> list[Contract]:
    query = sa.select(Contract).order_by(Contract.number)
    if customer_id is not None:
        query = query.where(Contract.customer_id == customer_id)
    return list(session.scalars(query))


def _apply(session: Session, row: Contract, data: ContractData) -> None:
    number = data.number.strip()
    if not 0 < len(number) <= 64:
        raise InvalidInput("a contract needs a number of 1 to 64 characters")
    if data.ends_on < data.starts_on:
        raise InvalidInput(
            f"contract {number}: ends {data.ends_on} before it starts {data.starts_on}"
        )
    other = session.scalars(sa.select(Contract).where(Contract.number == number)).first()
    if other is not None and other is not row:
        raise Conflict(f"a contract numbered {number!r} exists already")
    assets: list[Asset] = []
    if not data.all_assets:
        if not data.asset_ids:
            raise InvalidInput(f"contract {number}: name the covered assets, or cover all assets")
        assets = list(session.scalars(sa.select(Asset).where(Asset.id.in_(data.asset_ids))))
        missing = sorted(set(data.asset_ids) - {a.id for a in assets})
        if missing:
            raise InvalidInput(f"contract {number}: no asset(s) {missing}")
        foreign = [a.asset for a in assets if a.customer_id != row.customer_id]
        if foreign:
            raise InvalidInput(
                f"contract {number}: asset(s) {', '.join(foreign)} are not at this customer's sites"
            )
    if data.value is not None and data.value < 0:
        raise InvalidInput(f"contract {number}: a value cannot be negative ({data.value})")
    row.number = number
    row.kind = ContractKind(data.kind)
    row.starts_on, row.ends_on = data.starts_on, data.ends_on
    row.sla_plan = (data.sla_plan or "").strip() or None
    row.all_assets = data.all_assets
    row.exclusions = [e.strip() for e in data.exclusions if e.strip()]
    row.value = data.value
    row.assets = assets


def create_contract(
    *, session: Session, customer_id: int, data: ContractData, now: datetime
) -> Contract:
    customer = get_customer(session=session, customer_id=customer_id)
    row = Contract(customer_id=customer.id, created_at=now)
    _apply(session, row, data)
    session.add(row)
    session.flush()
    return row


def update_contract(*, session: Session, contract_id: int, data: ContractData) -> Contract:
    row = get_contract(session=session, contract_id=contract_id)
    _apply(session, row, data)
    session.flush()
    return row


def delete_contract(*, session: Session, contract_id: int) -> None:
    session.delete(get_contract(session=session, contract_id=contract_id))
    session.flush()


def cover(*, session: Session, asset: Asset, on: date, category: str | None = None) -> Cover:
    """The contract that pays for work on ``asset`` on day ``on``: a warranty before a paid
    contract; a contract excluding the request's category does not count."""
    if asset.customer_id is None:
        return Cover(None, None, "the asset is not on a customer's site record: no contract")
    query = sa.select(Contract).where(
        Contract.customer_id == asset.customer_id,
        Contract.starts_on <= on,
        Contract.ends_on >= on,
    )
    candidates = [c for c in session.scalars(query) if c.all_assets or asset in c.assets]
    candidates.sort(key=lambda c: (c.kind is not ContractKind.WARRANTY, c.number))
    excluded: list[str] = []
    for contract in candidates:
        if category is not None and category in contract.exclusions:
            excluded.append(contract.number)
            continue
        return Cover(
            contract.kind,
            contract.number,
            f"covered by {contract.kind.value} contract {contract.number} "
            f"({contract.starts_on} to {contract.ends_on})",
        )
    if excluded:
        return Cover(
            None, None, f"billable: {category} is excluded by contract(s) {', '.join(excluded)}"
        )
    return Cover(None, None, f"billable: no warranty or contract covers {asset.asset} on {on}")
