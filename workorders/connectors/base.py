"""The interface every ticketing connector implements (Request Tracker today; Jira Service
Management, Zammad, ServiceNow can follow).

The outbox drives a connector as it drives a webhook: each due delivery of a subscription whose
``connector`` names it becomes one :meth:`TicketConnector.deliver` call, retried with the same
backoff, its errors written to the delivery log. A scheduled job calls
:meth:`TicketConnector.status_changes` with the subscription's cursor and turns what comes back
into work-order transitions. Connectors do HTTP only, never database work: the caller passes in
what they need (the ticket already linked, the cursor) and stores what they return.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from workorders.models import Status, WorkOrderDocument


class ConnectorError(Exception):
    """The ticketing system refused or could not be reached; the message goes to the delivery
    log and the delivery is retried."""


@dataclass(frozen=True, slots=True)
class Push:
    """One outbox event for the ticketing system."""

    # The subscription's URL: where the ticketing system is.
    url: str
    delivery_id: uuid.UUID
    event_type: str
    document: WorkOrderDocument
    # The ticket this work order is linked to, if a delivery already recorded one.
    ticket_ref: str | None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A status change made in the ticketing system, as the work-order status it stands for."""

    ticket_ref: str
    remote_status: str
    # None: the remote status means no work-order transition (e.g. RT's "stalled").
    to: Status | None
    note: str


@dataclass(frozen=True, slots=True)
class Changes:
    changes: list[StatusChange]
    # Opaque; pass it back next time. Saved only after the changes are applied.
    next_cursor: str


class TicketConnector(Protocol):
    """A ticketing system behind one small interface."""

    # The value of a subscription's ``connector`` column that selects this connector.
    name: str

    def deliver(self, push: Push) -> str:
        """Create the work order's ticket if there is none (finding it first, so a retried or
        repeated delivery never makes a second one), or add the change to it. Returns the
        ticket's reference. Raises ConnectorError."""
        ...

    def status_changes(self, url: str, cursor: str | None) -> Changes:
        """Status changes made in the ticketing system at ``url`` after ``cursor`` (None: from
        the start), oldest first. Raises ConnectorError."""
        ...
