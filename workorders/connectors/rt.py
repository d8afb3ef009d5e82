"""Request Tracker 5 through its REST 2 API (``/REST/2.0``).

Each work order becomes one RT ticket in the queue that the queue rule picks (by site, customer
or priority). Vigil's fields go into ticket **custom fields** (created on first use, applied to
all queues), not only into the text: a custom field can be searched exactly, which is what makes
delivery idempotent (before creating a ticket the connector searches
``CF.{Vigil Work Order} = '<id>'``), and RT users can filter, sort and report on priority and
deadlines. The ticket's first message repeats them readably. Later changes are added as comments
(and refresh the custom fields). Status changes made in RT are read from RT's transaction log
(``Type = 'Status'``), whose ids are the cursor: exact, with no clock or time-zone to trust.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import httpx

from workorders.connectors.base import Changes, ConnectorError, Push, StatusChange
from workorders.models import Priority, Status, WorkOrderDocument

NAME = "rt"
ID_FIELD = "Vigil Work Order"
FIELDS = {
    ID_FIELD: "Vigil work-order id (UUID); the connector finds the ticket by it",
    "Vigil Number": "Vigil work-order number",
    "Vigil Asset": "site / asset (asset type)",
    "Vigil Fault": "fault code: title",
    "Vigil Priority": "urgent, normal or suggestion",
    "Vigil Respond By": "SLA: respond by (UTC, ISO 8601)",
    "Vigil On Site By": "SLA: on site by (UTC, ISO 8601)",
}
# RT's own 0-100 priority, so RT's ordering agrees with Vigil's.
RT_PRIORITY = {Priority.URGENT: 90, Priority.NORMAL: 50, Priority.SUGGESTION: 10}
# RT status -> work-order status. "new" and "stalled" mean nothing for the work order.
STATUS_MAP: Mapping[str, Status] = {
    "open": Status.ACKNOWLEDGED,
    "resolved": Status.RESOLVED,
    "rejected": Status.CANCELLED,
    "deleted": Status.CANCELLED,
}
PAGE = 100


@dataclass(frozen=True, slots=True)
class RtConfig:
    """Credentials and the queue rule (from the settings); RT's base URL is the subscription's."""

    user: str | None = None
    password: str | None = None
    token: str | None = None  # an RT auth token; used instead of user and password when set
    queue_by: Literal["site", "customer", "priority"] = "site"
    queues: Mapping[str, str] = field(default_factory=dict)
    default_queue: str = "General"
    timeout_s: float = 10.0


def queue_for(config: RtConfig, doc: WorkOrderDocument) -> str:
    """The queue rule: the value of ``queue_by`` looked up in ``queues``, else the default."""
    value = {
        "site": doc.asset.site,
        "customer": doc.asset.customer,
        "priority": doc.priority.value,
    }[config.queue_by]
    return config.queues.get(value or "", config.default_queue)


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def custom_fields(doc: WorkOrderDocument) -> dict[str, str]:
    a = doc.asset
    return {
        ID_FIELD: str(doc.id),
        "Vigil Number": doc.number,
        "Vigil Asset": f"{a.site} / {a.asset} ({a.asset_type})",
        "Vigil Fault": f"{doc.fault.code}: {doc.fault.title}",
        "Vigil Priority": doc.priority.value,
        "Vigil Respond By": _iso(doc.sla.respond_by),
        "Vigil On Site By": _iso(doc.sla.on_site_by),
    }


def summary(doc: WorkOrderDocument) -> str:
    """The readable part of a ticket's text or of a comment: what a technician needs first."""
    lines = [
        f"Vigil work order {doc.number} (id {doc.id}, version {doc.version})",
        f"Status: {doc.status.value}    Priority: {doc.priority.value}",
        f"Asset: {doc.asset.asset} ({doc.asset.asset_type}) at {doc.asset.site}, "
        f"customer {doc.asset.customer} ({doc.asset.customer_tier}), "
        f"criticality {doc.asset.criticality}",
        f"Fault: {doc.fault.code}: {doc.fault.title} (score {doc.fault.score:.2f}, "
        f"threshold {doc.fault.threshold:.2f}, {doc.fault.detector})",
        f"Respond by: {_iso(doc.sla.respond_by)}    On site by: {_iso(doc.sla.on_site_by)}",
    ]
    if doc.predicted_failure_at:
        lines.append(f"Predicted failure: {_iso(doc.predicted_failure_at)}")
    if doc.assignee:
        lines.append(f"Assignee: {doc.assignee}")
    if doc.resolution.code:
        lines.append(f"Resolution: {doc.resolution.code} {doc.resolution.notes or ''}".rstrip())
    if doc.follow_up.repeat_count:
        lines.append(f"Repeat repair: {doc.follow_up.repeat_count}")
    return "\n".join(lines)


def ticket_text(doc: WorkOrderDocument) -> str:
    actions = "".join(f"\n- {a}" for a in doc.suggested_actions)
    parts = ", ".join(doc.suggested_parts) or "-"
    return (
        f"{summary(doc)}\n\nSuggested actions:{actions}\nSuggested parts: {parts}\n\n"
        f"Work-order document (JSON):\n{doc.model_dump_json()}\n"
    )


class RtConnector:
    """:class:`workorders.connectors.base.TicketConnector` for Request Tracker 5."""

    name = NAME

    def __init__(self, config: RtConfig, client: httpx.Client) -> None:
        self.config = config
        self._client = client
        self._fields_ready: set[str] = set()

    # --- HTTP ---------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        base: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Content-Type": "application/json"}
        auth: httpx.Auth | None = None
        if self.config.token:
            headers["Authorization"] = f"token {self.config.token}"
        elif self.config.user is not None:
            auth = httpx.BasicAuth(self.config.user, self.config.password or "")
        url = base.rstrip("/") + "/REST/2.0" + path
        try:
            response = self._client.request(
                method,
                url,
                content=None if body is None else json.dumps(body),
                params=params,
                headers=headers,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=self.config.timeout_s,
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(f"RT at {base}: {type(exc).__name__}: {exc}") from None
        if not response.is_success:
            raise ConnectorError(
                f"RT {method} {path}: HTTP {response.status_code}: {response.text[:300]}"
            )
        return response.json()

    def _search(
        self, base: str, path: str, query: list[dict[str, Any]], fields: str
    ) -> list[dict[str, Any]]:
        params = {"fields": fields, "orderby": "id", "order": "ASC", "per_page": str(PAGE)}
        found: list[dict[str, Any]] = self._request("POST", base, path, body=query, params=params)[
            "items"
        ]
        return found

    # --- setup --------------------------------------------------------------------------------

    def ensure_fields(self, base: str) -> None:
        """Create the custom fields that are missing (global, for tickets). Needs RT's
        AdminCustomField right once; later runs only read."""
        if base in self._fields_ready:
            return
        query = [{"field": "Name", "operator": "LIKE", "value": "Vigil"}]
        have = {item["Name"] for item in self._search(base, "/customfields", query, "Name")}
        for name, description in FIELDS.items():
            if name in have:
                continue
            self._request(
                "POST",
                base,
                "/customfield",
                body={
                    "Name": name,
                    "Type": "Freeform",
                    "MaxValues": 1,
                    "LookupType": "RT::Queue-RT::Ticket",
                    "Queue": 0,  # 0: applied to every queue
                    "Description": description,
                },
            )
        self._fields_ready.add(base)

    # --- TicketConnector ----------------------------------------------------------------------

    def find_ticket(self, base: str, work_order_id: str) -> str | None:
        params = {"query": f"CF.{{{ID_FIELD}}} = '{work_order_id}'", "fields": "id"}
        items = self._request("GET", base, "/tickets", params=params)["items"]
        return min((str(item["id"]) for item in items), key=int, default=None)

    def deliver(self, push: Push) -> str:
        base = push.url
        self.ensure_fields(base)
        doc = push.document
        ref = push.ticket_ref or self.find_ticket(base, str(doc.id))
        if ref is None:
            created = self._request(
                "POST",
                base,
                "/ticket",
                body={
                    "Queue": queue_for(self.config, doc),
                    "Subject": f"{doc.number} {doc.asset.asset}: {doc.fault.title}",
                    "Content": ticket_text(doc),
                    "ContentType": "text/plain",
                    "Priority": RT_PRIORITY[doc.priority],
                    "CustomFields": custom_fields(doc),
                },
            )
            return str(created["id"])
        if push.event_type != "work_order.created":
            self._request(
                "PUT",
                base,
                f"/ticket/{ref}",
                body={"Priority": RT_PRIORITY[doc.priority], "CustomFields": custom_fields(doc)},
            )
            comment = f"{push.event_type} (Vigil delivery {push.delivery_id})\n\n{summary(doc)}"
            self._request(
                "POST",
                base,
                f"/ticket/{ref}/comment",
                body={"Content": comment, "ContentType": "text/plain"},
            )
        return ref

    def status_changes(self, url: str, cursor: str | None) -> Changes:
        after = int(cursor) if cursor else 0
        query: list[dict[str, Any]] = [
            {"field": "id", "operator": ">", "value": after},
            {"field": "Type", "value": "Status"},
            {"field": "ObjectType", "value": "RT::Ticket"},
        ]
        items = self._search(url, "/transactions", query, "ObjectId,OldValue,NewValue")
        changes = [
            StatusChange(
                ticket_ref=str(item["ObjectId"]),
                remote_status=item["NewValue"],
                to=STATUS_MAP.get(item["NewValue"]),
                note=f"RT #{item['ObjectId']}: {item['OldValue']} -> {item['NewValue']}",
            )
            for item in items
        ]
        last = max((int(item["id"]) for item in items), default=after)
        return Changes(changes, str(last))
