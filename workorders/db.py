"""Re-export of :mod:`customers.db` (the shared ``Base`` and engine helpers), where it moved so the
customer records below work orders can declare tables; existing imports and migrations keep
working."""

from customers.db import (
    NAMING_CONVENTION,
    Base,
    UtcDateTime,
    in_transaction,
    is_busy,
    make_engine,
    session_factory,
    str_enum,
)

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "UtcDateTime",
    "in_transaction",
    "is_busy",
    "make_engine",
    "session_factory",
    "str_enum",
]
