"""Errors of the work-order services. Each carries a message a caller can show as is."""

from __future__ import annotations

from collections.abc import Iterable


class WorkOrderError(Exception):
    """Base class: a request about a work order that cannot be done as asked."""


class NotFound(WorkOrderError):
    pass


class InvalidInput(WorkOrderError):
    pass


class Conflict(WorkOrderError):
    """Someone else changed the work order first (optimistic concurrency): re-read and retry."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class TransitionNotAllowed(WorkOrderError):
    def __init__(self, current: str, requested: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.requested = requested
        self.allowed = sorted(allowed)
        listed = ", ".join(self.allowed) or "none (final state)"
        super().__init__(
            f"cannot go from {current!r} to {requested!r}; allowed from {current!r}: {listed}"
        )
