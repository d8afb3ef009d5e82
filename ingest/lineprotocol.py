"""InfluxDB line protocol: a strict parser for gateway payloads and a fast formatter for writes.

Parsing is strict on escapes: only ``\\,`` ``\\=`` ``\\ `` ``\\\\`` and (in strings) ``\\"`` are
accepted, so a gateway with broken escaping is told so instead of having its tags silently mangled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.points import Point
from ingest.rejections import Rejected

_ESCAPABLE = frozenset(',= \\"')


@dataclass(frozen=True, slots=True)
class Line:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, float | int | str | bool]
    timestamp_ns: int | None


def _split(text: str, sep: str, *, quotes: bool) -> list[str]:
    """Split at unescaped ``sep`` (outside double quotes when ``quotes``), keeping escapes."""
    parts: list[str] = []
    current: list[str] = []
    i, in_quotes = 0, False
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text):
                raise Rejected("line_protocol_syntax", "backslash at the end of a line")
            if text[i + 1] not in _ESCAPABLE:
                raise Rejected("line_protocol_syntax", f"invalid escape \\{text[i + 1]}")
            current.append(text[i : i + 2])
            i += 2
            continue
        if quotes and char == '"':
            in_quotes = not in_quotes
        elif char == sep and not in_quotes:
            parts.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    if in_quotes:
        raise Rejected("line_protocol_syntax", "unterminated string")
    parts.append("".join(current))
    return parts


def _unescape(token: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(token):
        if token[i] == "\\":
            out.append(token[i + 1])
            i += 2
        else:
            out.append(token[i])
            i += 1
    return "".join(out)


def _pair(token: str, what: str) -> tuple[str, str]:
    pieces = _split(token, "=", quotes=what == "field")
    if len(pieces) < 2 or not pieces[0]:
        raise Rejected("line_protocol_syntax", f"{what} {token!r} is not key=value")
    key, value = pieces[0], "=".join(pieces[1:])
    if what == "tag" and (len(pieces) != 2 or not value):
        raise Rejected("line_protocol_syntax", f"tag {token!r} is not key=value")
    return _unescape(key), value


def _field_value(raw: str) -> float | int | str | bool:
    if not raw:
        raise Rejected("line_protocol_syntax", "field without a value")
    if raw[0] == '"':
        if len(raw) < 2 or raw[-1] != '"':
            raise Rejected("line_protocol_syntax", f"bad string field {raw!r}")
        return raw[1:-1].replace('\\"', '"')
    if raw in ("t", "T", "true", "True", "TRUE"):
        return True
    if raw in ("f", "F", "false", "False", "FALSE"):
        return False
    try:
        if raw[-1] in "iu":
            return int(raw[:-1])
        value = float(raw)
    except ValueError:
        raise Rejected("line_protocol_syntax", f"field value {raw!r} is not a number") from None
    return value


def parse_line(line: str) -> Line:
    sections = _split(line, " ", quotes=True)
    sections = [s for s in sections if s != ""]
    if len(sections) not in (2, 3):
        raise Rejected(
            "line_protocol_syntax", f"expected 'measurement,tags fields [timestamp]': {line[:80]!r}"
        )
    key_parts = _split(sections[0], ",", quotes=False)
    measurement = _unescape(key_parts[0])
    if not measurement:
        raise Rejected("line_protocol_syntax", "missing measurement")
    tags = dict(_pair(token, "tag") for token in key_parts[1:])
    fields = {
        key: _field_value(value)
        for key, value in (_pair(token, "field") for token in _split(sections[1], ",", quotes=True))
    }
    timestamp: int | None = None
    if len(sections) == 3:
        try:
            timestamp = int(sections[2])
        except ValueError:
            raise Rejected(
                "line_protocol_syntax", f"timestamp {sections[2]!r} is not an integer"
            ) from None
    return Line(measurement, {k: _unescape(v) for k, v in tags.items()}, fields, timestamp)


def parse(text: str) -> list[Line]:
    return [
        parse_line(line) for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


def _escape_key(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def format_points(points: Iterable[Point]) -> str:
    """Line protocol with millisecond timestamps; every field written as a float.

    Always floats (``1.0``, never ``1i``): InfluxDB fixes a field's type at first write, and a
    gateway sending ``3`` then ``3.5`` must not be refused on the second message.
    """
    lines = []
    # A batch holds many points per series and the same few field names: escaping each once per
    # call instead of per point halves the cost of formatting (bench/ingest.py, 50-reading runs).
    series: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
    names: dict[str, str] = {}
    for point in points:
        tag_items = tuple(point.tags.items())
        key = series.get((point.measurement, tag_items))
        if key is None:
            tags = ",".join(f"{_escape_key(k)}={_escape_key(v)}" for k, v in sorted(tag_items))
            key = _escape_key(point.measurement) + ("," + tags if tags else "")
            series[(point.measurement, tag_items)] = key
        fields = []
        for name, value in point.fields.items():
            if math.isfinite(value):
                escaped = names.get(name)
                if escaped is None:
                    escaped = names[name] = _escape_key(name)
                fields.append(f"{escaped}={float(value)!r}")
        lines.append(f"{key} {','.join(fields)} {point.ts_ms}")
    return "\n".join(lines)
