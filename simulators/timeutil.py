"""Durations like ``3d 4h`` and RFC 3339 times, as scenario files and the CLI write them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")


def parse_duration(text: str | int | float, *, what: str = "duration") -> float:
    """Seconds in ``"90s"``, ``"1h30m"``, ``"3d 4h"`` or a bare number of seconds.

    >>> parse_duration("1h30m"), parse_duration("2d"), parse_duration(45)
    (5400.0, 172800.0, 45.0)
    """
    if isinstance(text, bool):
        raise ValueError(f"{what}: expected a duration like '90s', '1h30m' or '3d', got {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"{what}: must not be negative, got {text}")
        return float(text)
    cleaned = text.strip().lower()
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).strip():
        raise ValueError(f"{what}: expected a duration like '90s', '1h30m' or '3d', got {text!r}")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def parse_time(text: str, *, what: str = "time") -> datetime:
    """An RFC 3339 time with a zone (``2026-10-01T00:00:00Z``), returned in UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValueError(
            f"{what}: expected an RFC 3339 time like 2026-10-01T00:00:00Z, got {text!r}"
        )
    return value.astimezone(UTC)


def format_time(epoch_s: float) -> str:
    """RFC 3339 UTC with a ``Z``, second precision (millisecond when needed)."""
    value = datetime.fromtimestamp(epoch_s, UTC)
    if value.microsecond:
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def format_duration(seconds: float) -> str:
    """``"2d 3h 04m"``, ``"5h 30m"``, ``"12m 05s"``: for progress displays.

    >>> format_duration(2 * 86400 + 3 * 3600 + 240), format_duration(330), format_duration(5)
    ('2d 3h 04m', '5m 30s', '5s')
    """
    whole = int(max(seconds, 0))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
