"""API keys: created once and shown once, stored only as a sha256 hash, revocable.

A key reads ``vgl_<id>_<secret>``: ``id`` (public, 12 hex chars) finds the row, ``secret`` (43
URL-safe chars, 256 bits) is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import ApiKey
from api.roles import Role
from customers.models import Customer
from field.models import Engineer

PREFIX = "vgl"


class KeyNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str  # the only time the clear key exists
    row: ApiKey


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    *,
    session: Session,
    name: str,
    role: Role,
    now: datetime | None = None,
    customer_id: int | None = None,
    engineer_id: int | None = None,
) -> CreatedKey:
    """A new key. A ``customer`` key needs ``customer_id``, an ``engineer`` key ``engineer_id``
    (it sees only what is that party's); other roles take neither."""
    if not name.strip():
        raise ValueError("a key needs a name saying who or what uses it")
    role = Role(role)
    if (role is Role.customer) != (customer_id is not None):
        raise ValueError("a customer key needs --customer ID, and only a customer key takes one")
    if (role is Role.engineer) != (engineer_id is not None):
        raise ValueError("an engineer key needs --engineer ID, and only an engineer key takes one")
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise ValueError(f"no customer {customer_id} (see vigil customers list)")
    if engineer_id is not None and session.get(Engineer, engineer_id) is None:
        raise ValueError(f"no engineer {engineer_id} (see vigil engineers list)")
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        id=key_id,
        name=name.strip(),
        role=Role(role).value,
        key_hash=hash_key(key),
        created_at=now or datetime.now(UTC),
        customer_id=customer_id,
        engineer_id=engineer_id,
    )
    session.add(row)
    session.flush()
    return CreatedKey(key=key, row=row)


def list_keys(*, session: Session, include_revoked: bool = False) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_key(*, session: Session, key_id: str, now: datetime | None = None) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise KeyNotFound(f"no API key with id {key_id!r}")
    if row.revoked_at is None:
        row.revoked_at = now or datetime.now(UTC)
    return row


def authenticate(*, session: Session, key: str) -> ApiKey | None:
    """The active key row for a presented key, or None. Constant-time on the secret part."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    row = session.get(ApiKey, parts[1])
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, hash_key(key)):
        return None
    return row


def active_key(*, session: Session, key_id: str) -> ApiKey | None:
    row = session.get(ApiKey, key_id)
    return row if row is not None and row.revoked_at is None else None
