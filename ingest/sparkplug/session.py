"""What a host application knows of one edge node between its BIRTH and DEATH: metric names and
aliases from the BIRTH messages, the next sequence number, and which devices are born."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.rejections import Rejected
from ingest.sparkplug.mapping import DEFAULT_ASSET_TYPE, Mapping, Target
from ingest.sparkplug.payload import Payload, datatype_name, metric_string, metric_unit

# Sparkplug's own metrics, never telemetry: session bookkeeping and writable commands.
_CONTROL_PREFIXES = ("Node Control/", "Device Control/", "Node Info/", "Properties/")
_CONTROL_NAMES = frozenset({"bdSeq"})
ASSET_TYPE_METRIC = "asset_type"


@dataclass(frozen=True, slots=True)
class Known:
    """A metric declared in a BIRTH: Vigil's name for it (None: not stored), type and unit."""

    sparkplug_name: str
    name: str | None
    datatype: int
    unit: str | None


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    site: str
    asset: str
    metric: str
    sparkplug_name: str
    datatype: str
    unit: str | None


@dataclass
class Born:
    """One born edge node or device: where its readings go and the metrics its BIRTH declared."""

    target: Target
    asset_type: str
    by_name: dict[str, Known] = field(default_factory=dict)
    by_alias: dict[int, Known] = field(default_factory=dict)

    def resolve(self, metric: Any) -> Known:
        """The BIRTH's declaration of a DATA metric, found by alias (or by name when it has none)."""
        if metric.HasField("alias"):
            known = self.by_alias.get(int(metric.alias))
            if known is None:
                raise Rejected(
                    "sparkplug_unknown_alias", f"alias {metric.alias} was not declared in the BIRTH"
                )
            return known
        known = self.by_name.get(metric.name)
        if known is None:
            raise Rejected(
                "sparkplug_unknown_alias",
                f"metric {metric.name[:100]!r} was not declared in the BIRTH",
            )
        return known

    def catalog(self) -> list[CatalogEntry]:
        site, asset = self.target.site, self.target.asset
        return [
            CatalogEntry(site, asset, k.name, k.sparkplug_name, datatype_name(k.datatype), k.unit)
            for k in self.by_name.values()
            if k.name is not None
        ]


@dataclass
class NodeSession:
    bd_seq: int | None
    next_seq: int
    node: Born
    devices: dict[str, Born] = field(default_factory=dict)

    def check_seq(self, seq: int) -> None:
        """Accept the next sequence number (0..255, wrapping) or raise sparkplug_sequence_gap."""
        if seq != self.next_seq:
            raise Rejected(
                "sparkplug_sequence_gap", f"seq {seq}, expected {self.next_seq}: Rebirth requested"
            )
        self.next_seq = (seq + 1) % 256


def learn_birth(payload: Payload, target: Target, mapping: Mapping) -> Born:
    """The metrics a BIRTH declares (each needs a name and a datatype), and the asset type."""
    by_name: dict[str, Known] = {}
    by_alias: dict[int, Known] = {}
    learned_type: str | None = None
    for metric in payload.metrics:
        if not metric.name:
            raise Rejected("sparkplug_bad_payload", "a BIRTH metric has no name")
        if not metric.HasField("datatype"):
            raise Rejected("sparkplug_bad_payload", f"BIRTH metric {metric.name!r} has no datatype")
        if metric.name == ASSET_TYPE_METRIC:
            learned_type = metric_string(metric)
        control = metric.name in _CONTROL_NAMES or metric.name.startswith(_CONTROL_PREFIXES)
        name = None if control else mapping.metric_name(metric.name)
        known = Known(metric.name, name, int(metric.datatype), metric_unit(metric))
        by_name[metric.name] = known
        if metric.HasField("alias"):
            if int(metric.alias) in by_alias:
                raise Rejected("sparkplug_bad_payload", f"alias {metric.alias} declared twice")
            by_alias[int(metric.alias)] = known
    asset_type = target.asset_type or learned_type or DEFAULT_ASSET_TYPE
    return Born(target, asset_type, by_name, by_alias)
