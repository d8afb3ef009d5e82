"""Which Vigil site, asset and asset type each Sparkplug edge node and device is.

The rule without a mapping file: site = group id, asset = device id (the edge node id for the
node's own metrics), asset type = the ``asset_type`` String metric of the BIRTH when there is
one, else ``sparkplug``. A mapping file (TOML) overrides any of these per node or device, and
renames metrics; see docs/gateway-contract.md, "Sparkplug B".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.decode import ASSET_TYPE, METRIC_NAME
from ingest.topics import ID

DEFAULT_ASSET_TYPE = "sparkplug"
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


class MappingError(ValueError):
    """The mapping file is wrong; the message names the entry and what is expected."""


@dataclass(frozen=True, slots=True)
class Target:
    site: str
    asset: str
    # None: learn it from the BIRTH's asset_type metric, else DEFAULT_ASSET_TYPE.
    asset_type: str | None


@dataclass(frozen=True)
class Mapping:
    default_asset_type: str | None = None
    nodes: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    devices: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)

    def node(self, group: str, node: str) -> Target:
        entry = self.nodes.get((group, node), {})
        return Target(
            entry.get("site", group),
            entry.get("asset", node),
            entry.get("asset_type", self.default_asset_type),
        )

    def device(self, group: str, node: str, device: str) -> Target:
        entry = self.devices.get((group, node, device), {})
        site = self.nodes.get((group, node), {}).get("site", group)
        return Target(
            entry.get("site", site),
            entry.get("asset", device),
            entry.get("asset_type", self.default_asset_type),
        )

    def metric_name(self, sparkplug_name: str) -> str | None:
        """Vigil's name for a Sparkplug metric, or None when it cannot have one.

        Mapped names first; else each run of characters other than letters, digits and ``_``
        becomes ``_`` (``Motor/Temp C`` -> ``Motor_Temp_C``), with ``m_`` before a leading digit.
        """
        mapped = self.metrics.get(sparkplug_name)
        if mapped is not None:
            return mapped
        name = _NOT_NAME.sub("_", sparkplug_name).strip("_")
        if name and not name[0].isalpha():
            name = "m_" + name
        return name if METRIC_NAME.fullmatch(name) else None


def load_mapping(path: Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{path}: {error}") from None
    unknown = set(raw) - {"defaults", "nodes", "devices", "metrics"}
    if unknown:
        raise MappingError(f"{path}: unknown tables {sorted(unknown)}")
    defaults = _table(raw.get("defaults", {}), "defaults", {"asset_type"}, set())
    nodes = {
        (e["group"], e["node"]): e
        for e in (
            _table(item, f"nodes[{i}]", {"site", "asset", "asset_type"}, {"group", "node"})
            for i, item in enumerate(_list(raw, "nodes"))
        )
    }
    devices = {
        (e["group"], e["node"], e["device"]): e
        for e in (
            _table(
                item, f"devices[{i}]", {"site", "asset", "asset_type"}, {"group", "node", "device"}
            )
            for i, item in enumerate(_list(raw, "devices"))
        )
    }
    metrics = raw.get("metrics", {})
    if not isinstance(metrics, dict):
        raise MappingError(f'{path}: [metrics] must be a table of "Sparkplug name" = "name"')
    for source, target in metrics.items():
        if not isinstance(target, str) or not METRIC_NAME.fullmatch(target):
            raise MappingError(f"metrics.{source!r}: {target!r} is not a valid metric name")
    return Mapping(defaults.get("asset_type"), nodes, devices, dict(metrics))


def _list(raw: dict[str, Any], name: str) -> list[Any]:
    items = raw.get(name, [])
    if not isinstance(items, list):
        raise MappingError(f"{name} must be an array of tables ([[{name}]])")
    return items


def _table(item: Any, where: str, optional: set[str], required: set[str]) -> dict[str, str]:
    if not isinstance(item, dict):
        raise MappingError(f"{where} must be a table")
    missing = required - set(item)
    unknown = set(item) - required - optional
    if missing or unknown:
        raise MappingError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    for key, value in item.items():
        pattern = ASSET_TYPE if key == "asset_type" else ID
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise MappingError(f"{where}.{key}: {value!r} has characters not allowed")
    return dict(item)
