"""Errors of the work-order services. Each carries a message a caller can show as is.

The base classes are the record errors of ``customers.errors`` (one hierarchy, one HTTP mapping).
"""

from __future__ import annotations

from collections.abc import Iterable

from customers.errors import Conflict, InvalidInput, NotFound
from customers.errors import RecordError as WorkOrderError

__all__ = ["Conflict", "InvalidInput", "NotFound", "TransitionNotAllowed", "WorkOrderError"]


class TransitionNotAllowed(WorkOrderError):
    def __init__(self, current: str, requested: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.requested = requested
        self.allowed = sorted(allowed)
        listed = ", ".join(self.allowed) or "none (final state)"
        super().__init__(
            f"cannot go from {current!r} to {requested!r}; allowed from {current!r}: {listed}"
        )
