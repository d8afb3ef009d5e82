"""The Sparkplug B topic namespace: ``spBv1.0/{group}/{type}/{edge node}[/{device}]``."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.topics import ID

NAMESPACE = "spBv1.0"
PREFIX = NAMESPACE + "/"
NODE_TYPES = ("NBIRTH", "NDATA", "NDEATH")
DEVICE_TYPES = ("DBIRTH", "DDATA", "DDEATH")


@dataclass(frozen=True, slots=True)
class SparkplugTopic:
    group: str
    kind: str
    node: str
    device: str | None = None


def subscriptions() -> list[str]:
    """What a host application subscribes to: births, data and deaths, never commands or STATE
    (Vigil publishes NCMD itself and must not read its own Rebirth requests back)."""
    node = [f"{PREFIX}+/{kind}/+" for kind in NODE_TYPES]
    device = [f"{PREFIX}+/{kind}/+/+" for kind in DEVICE_TYPES]
    return node + device


def parse_topic(topic: str) -> SparkplugTopic | None:
    """The topic's parts, or None when it is not a node or device message with valid ids."""
    parts = topic.split("/")
    if len(parts) not in (4, 5) or parts[0] != NAMESPACE:
        return None
    kind = parts[2]
    expected = NODE_TYPES if len(parts) == 4 else DEVICE_TYPES
    if kind not in expected:
        return None
    ids = parts[1:2] + parts[3:]
    if not all(ID.fullmatch(part) for part in ids):
        return None
    return SparkplugTopic(parts[1], kind, parts[3], parts[4] if len(parts) == 5 else None)


def command_topic(group: str, node: str) -> str:
    return f"{PREFIX}{group}/NCMD/{node}"


def state_topic(host_id: str) -> str:
    """Where a Sparkplug B 3.0 primary host application says whether it is online."""
    return f"{NAMESPACE}/STATE/{host_id}"
