"""Errors of the record services (customers, work orders and above). Each carries a message a
caller can show as is; the API maps each class to one status code once (``api/errors.py``)."""

from __future__ import annotations


class RecordError(Exception):
    """Base class: a request about a record that cannot be done as asked."""


class NotFound(RecordError):
    pass


class InvalidInput(RecordError):
    pass


class Conflict(RecordError):
    """Someone else changed the record first, or it clashes with another one: re-read and retry."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version
