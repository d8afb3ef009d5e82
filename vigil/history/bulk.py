"""Bulk inserts for the history loader: Core ``INSERT`` in chunks (an executemany per chunk),
not the ORM's unit of work, which would spend most of a large load tracking identities."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

CHUNK = 2000


def insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` into ``model``'s table (column defaults apply); how many."""
    table = cast(sa.Table, model.__table__)
    for i in range(0, len(rows), CHUNK):
        session.execute(table.insert(), rows[i : i + CHUNK])
    return len(rows)
