"""Labelled windows: where training must not learn "healthy", and what evaluation scores against.

Labels come from two places: the simulator's ground-truth file (read here with a small reader,
because ``models`` may not import ``simulators``) and work-order outcomes, which the alerts layer
provides through the ``LabelSource`` protocol.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

LabelKind = Literal["confirmed_fault", "false_alarm", "fault", "data_quality"]
# Kinds that mark equipment as unhealthy: never learned as baseline.
UNHEALTHY_KINDS: frozenset[str] = frozenset({"confirmed_fault", "fault", "data_quality"})


class LabelError(ValueError):
    """A labels file or window is malformed; the message says where."""


@dataclass(frozen=True, slots=True)
class LabelWindow:
    asset: str
    start: datetime
    end: datetime
    kind: LabelKind
    asset_type: str | None = None
    # For fault windows: the fault mode (e.g. bearing_wear) and when the equipment fails.
    mode: str | None = None
    failure_at: datetime | None = None


class LabelSource(Protocol):
    """Anything that can list labelled windows (simulator file, work-order outcomes)."""

    def windows(
        self, *, asset_type: str | None, start: datetime, end: datetime
    ) -> list[LabelWindow]: ...


def parse_time(value: Any, *, where: str) -> datetime:
    """An RFC 3339 string (or epoch milliseconds) as an aware UTC datetime."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (TypeError, ValueError, OverflowError):
        raise LabelError(f"{where}: not an RFC 3339 time: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _fault_window(item: dict[str, Any], where: str) -> LabelWindow:
    try:
        asset = str(item["asset"])
        onset = parse_time(item["onset"], where=f"{where}.onset")
        failure = parse_time(item["failure_at"], where=f"{where}.failure_at")
    except KeyError as missing:
        raise LabelError(f"{where}: missing {missing}") from None
    return LabelWindow(
        asset=asset,
        start=onset,
        end=failure,
        kind="fault",
        asset_type=item.get("asset_type"),
        mode=item.get("mode"),
        failure_at=failure,
    )


def _dq_window(item: dict[str, Any], where: str) -> LabelWindow:
    try:
        return LabelWindow(
            asset=str(item["asset"]),
            start=parse_time(item["start"], where=f"{where}.start"),
            end=parse_time(item["end"], where=f"{where}.end"),
            kind="data_quality",
            asset_type=item.get("asset_type"),
            mode=item.get("kind"),
        )
    except KeyError as missing:
        raise LabelError(f"{where}: missing {missing}") from None


def parse_labels(document: Any) -> list[LabelWindow]:
    """Windows from a labels document.

    Accepted shapes: the simulator's ``{"faults": [...], "data_quality": [...]}`` (fault items
    carry ``onset`` and ``failure_at``, data-quality items ``start`` and ``end``), or a plain list
    of ``{"asset", "start", "end", "kind"}`` windows.
    """
    windows: list[LabelWindow] = []
    if isinstance(document, dict):
        for key in ("faults", "fault_windows"):
            for i, item in enumerate(document.get(key) or []):
                windows.append(_fault_window(item, f"{key}[{i}]"))
        for key in ("data_quality", "data_quality_episodes", "dq"):
            for i, item in enumerate(document.get(key) or []):
                windows.append(_dq_window(item, f"{key}[{i}]"))
        if "windows" in document:
            document = document["windows"]
    if isinstance(document, list):
        for i, item in enumerate(document):
            if not isinstance(item, dict):
                raise LabelError(f"windows[{i}]: expected an object")
            if "onset" in item:
                windows.append(_fault_window(item, f"windows[{i}]"))
                continue
            kind = item.get("kind", "fault")
            if kind not in ("confirmed_fault", "false_alarm", "fault", "data_quality"):
                windows.append(_dq_window(item, f"windows[{i}]"))
                continue
            try:
                windows.append(
                    LabelWindow(
                        asset=str(item.get("asset", "")),
                        start=parse_time(item["start"], where=f"windows[{i}].start"),
                        end=parse_time(item["end"], where=f"windows[{i}].end"),
                        kind=kind,
                        asset_type=item.get("asset_type"),
                    )
                )
            except KeyError as missing:
                raise LabelError(f"windows[{i}]: missing {missing}") from None
    elif not isinstance(document, dict):
        raise LabelError("expected a JSON object or list of windows")
    return windows


def read_labels(path: Path) -> list[LabelWindow]:
    try:
        document = json.loads(Path(path).read_text())
    except OSError as error:
        raise LabelError(f"{path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise LabelError(f"{path}: not JSON ({error})") from None
    return parse_labels(document)


@dataclass(frozen=True, slots=True)
class StaticLabels:
    """A ``LabelSource`` over windows already in memory (a labels file, a test)."""

    items: tuple[LabelWindow, ...]

    def windows(
        self, *, asset_type: str | None, start: datetime, end: datetime
    ) -> list[LabelWindow]:
        return [
            w
            for w in self.items
            if w.end > start
            and w.start < end
            and (asset_type is None or w.asset_type in (None, asset_type))
        ]


def combine(sources: Iterable[LabelSource], **query: Any) -> list[LabelWindow]:
    out: list[LabelWindow] = []
    for source in sources:
        out.extend(source.windows(**query))
    return out
