"""Named counters taken under a row lock: gap-free work-order numbers and the change sequence."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workorders.models import Counter

_COUNTERS = sa.table("counters", sa.column("name"), sa.column("value"))
CHANGES = "work_order_changes"


def _ensure_counter(session: Session, name: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
    )


def next_counter(*, session: Session, name: str) -> int:
    """Next value of a named counter; the row stays locked until the transaction ends."""
    _ensure_counter(session, name)
    # Core UPDATE on the table (not the ORM one): no identity-map synchronisation needed.
    value = session.execute(
        sa.update(_COUNTERS)
        .where(_COUNTERS.c.name == name)
        .values(value=_COUNTERS.c.value + 1)
        .returning(_COUNTERS.c.value)
    ).scalar_one()
    return int(value)


def lock_changes(*, session: Session) -> None:
    """Queue as a writer of work orders, before locking any work-order row.

    Every change takes the change counter, held until commit. Taking it first, always, gives
    every transaction the same lock order (counter, then rows): an alert flow changing several
    work orders and a request changing one of them can wait for each other, never deadlock.
    """
    _ensure_counter(session, CHANGES)
    session.execute(
        sa.select(_COUNTERS.c.value).where(_COUNTERS.c.name == CHANGES).with_for_update()
    )
