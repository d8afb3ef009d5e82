"""InfluxDB line protocol: a parser that reads what InfluxDB reads, and a fast formatter for writes.

The parser follows InfluxDB's reference decoder, the Go package ``lineprotocol`` of
``github.com/influxdata/line-protocol/v2`` that InfluxDB 2.x uses (decoder.go, value.go): the same
characters end each token, the same escapes are read, the same values come out, and what it
refuses is refused. In short:

- a backslash escapes only ``,`` and space in a measurement name, only ``,`` ``=`` and space in
  tag keys, tag values and field keys, and only ``"`` ``\\`` ``n`` ``r`` ``t`` in a string field;
  before any other character it is kept as it is (so ``\\\\`` is two backslashes outside strings);
- numbers use Go's ``strconv`` syntax, not Python's: ``1_000.5`` and ``0x1p-2`` are floats,
  ``+1`` and ``NaN`` are not values at all, ``1i`` must fit an int64 and ``1u`` a uint64;
- a timestamp is a signed 64-bit integer of nanoseconds.

Refusals that are not plain syntax have reasons of their own (ingest/rejections.py): a duplicate
tag key (which the decoder passes on, but a point cannot hold), NaN and infinite values, 64-bit
overflow, a negative unsigned value, a timestamp out of range. tests/ingest/test_lineprotocol.py
lists each rule with what the reference decoder gives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.points import Point
from ingest.rejections import Rejected

# Token patterns: what the decoder's takeEsc takes. A backslash is always part of the token; when
# the next character is one its escaper knows, that character is taken too (even a separator).
# Control characters (0x00-0x1f, 0x7f) end every token but a string.
_MEASUREMENT = re.compile(r"(?:\\[ ,]|\\|[^\\, \x00-\x1f\x7f])*")
_KEY = re.compile(r"(?:\\[,= ]|\\|[^\\,= \x00-\x1f\x7f])*")  # tag keys, tag values, field keys
_STRING = re.compile(r'(?:\\["\\nrt]|\\|[^"\\])*')
_FIELD_VALUE = re.compile(r"[^, \r\n]*")
_TIME = re.compile(r"[-0-9]*")
_SPACES = re.compile(r" *")
_COMMENT = re.compile(r"#[^\x00-\x1f\x7f]*(?:\n|\r\n|\r?\Z)")
_MEASUREMENT_ESCAPE = re.compile(r"\\([ ,])")
_KEY_ESCAPE = re.compile(r"\\([,= ])")
_STRING_ESCAPE = re.compile(r'\\(["\\nrt])')
_STRING_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}

# Go's strconv syntax: underscores only between digits (or after a 0x prefix), a hexadecimal
# mantissa needs a p exponent, ParseInt/ParseUint with base 10 take no underscores at all.
_DIGITS = r"[0-9](?:_?[0-9])*"
_HEX_DIGITS = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_DECIMAL = re.compile(
    rf"[+-]?(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
)
_HEX = re.compile(
    rf"[+-]?0[xX](?:_?{_HEX_DIGITS}(?:\.(?:{_HEX_DIGITS})?)?|\.{_HEX_DIGITS})[pP][+-]?{_DIGITS}"
)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_UNSIGNED = re.compile(r"[0-9]+")
_NEGATIVE_INFINITY = frozenset(("-inf", "-infinity"))  # what Go's ParseFloat reads, any case
_NOT_A_NUMBER = frozenset(("nan", "inf", "+inf", "infinity", "+infinity", "-nan"))
_TRUE = frozenset(("t", "T", "true", "True", "TRUE"))
_FALSE = frozenset(("f", "F", "false", "False", "FALSE"))
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Line:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, float | int | str | bool]
    timestamp_ns: int | None


def _syntax(detail: str) -> Rejected:
    return Rejected("line_protocol_syntax", detail)


def parse(text: str) -> list[Line]:
    """Every entry of a line-protocol text, or Rejected at the first problem.

    Blank lines, leading spaces and ``#`` comment lines are skipped; lines end at ``\\n`` or
    ``\\r\\n`` (a string field may hold a raw newline).
    """
    lines: list[Line] = []
    pos, end = 0, len(text)
    while True:
        pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= end:
            return lines
        char = text[pos]
        if char == "\n":
            pos += 1
        elif char == "\r":
            pos = _end_of_line(text, pos, end)
            if pos < 0:
                raise _syntax("a carriage return not followed by a newline")
        elif char == "#":
            comment = _COMMENT.match(text, pos)
            if comment is None:
                raise _syntax("a control character in a comment line")
            pos = comment.end()
        else:
            line, pos = _entry(text, pos, end)
            lines.append(line)


def parse_line(text: str) -> Line:
    """The one entry of ``text``."""
    lines = parse(text)
    if len(lines) != 1:
        raise _syntax(f"expected one line, found {len(lines)}")
    return lines[0]


def _end_of_line(text: str, pos: int, end: int) -> int:
    """Where the next line starts if one ends at ``pos`` (or the input does), else -1."""
    if pos >= end:
        return end
    char = text[pos]
    if char == "\n":
        return pos + 1
    if char == "\r":
        if pos + 1 == end:
            return end
        if text[pos + 1] == "\n":
            return pos + 2
    return -1


def _entry(text: str, pos: int, end: int) -> tuple[Line, int]:
    token = _MEASUREMENT.match(text, pos).group()  # type: ignore[union-attr]
    if not token:
        raise _syntax(f"invalid character {text[pos]!r} at the start of a measurement name")
    pos += len(token)
    measurement = _MEASUREMENT_ESCAPE.sub(r"\1", token) if "\\" in token else token
    tags: list[tuple[str, str]] = []
    pos = _tag_comma(text, pos, end)
    while True:
        if pos < end and text[pos] == " ":
            pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
            break
        key, pos = _key(text, pos, end, "tag key")
        value = _KEY.match(text, pos).group()  # type: ignore[union-attr]
        if not value:
            raise _syntax(f"tag {key!r} has no value")
        pos += len(value)
        tags.append((key, _KEY_ESCAPE.sub(r"\1", value) if "\\" in value else value))
        if pos >= end:
            raise _syntax(f"no fields after the tags of {measurement!r}")
        pos = _tag_comma(text, pos, end)
    fields: dict[str, float | int | str | bool] = {}
    while True:
        key, pos = _key(text, pos, end, "field key")
        if pos >= end:
            raise _syntax(f"field {key!r} has no value")
        if text[pos] == '"':
            token = _STRING.match(text, pos + 1).group()  # type: ignore[union-attr]
            pos += len(token) + 1
            if pos >= end:
                raise _syntax(f"string field {key!r} has no closing quote")
            pos += 1
            fields[key] = (
                _STRING_ESCAPE.sub(lambda m: _STRING_ESCAPES[m.group(1)], token)
                if "\\" in token
                else token
            )
        else:
            token = _FIELD_VALUE.match(text, pos).group()  # type: ignore[union-attr]
            pos += len(token)
            fields[key] = _value(key, token)
        if pos >= end:
            return _line(measurement, tags, fields, None), end
        char = text[pos]
        if char == ",":
            pos += 1
            continue
        if char not in " \r\n":
            raise _syntax(f"unexpected character {char!r} after field {key!r}")
        break
    pos = _SPACES.match(text, pos).end()  # type: ignore[union-attr]
    after = _end_of_line(text, pos, end)
    if after >= 0:
        return _line(measurement, tags, fields, None), after
    token = _TIME.match(text, pos).group()  # type: ignore[union-attr]
    pos += len(token)
    if pos < end and text[pos] not in " \r\n":
        raise _syntax(f"invalid timestamp {text[pos - len(token) : pos + 20]!r}")
    pos = _end_of_line(text, _SPACES.match(text, pos).end(), end)  # type: ignore[union-attr]
    if pos < 0:
        raise _syntax("unexpected text after the timestamp")
    return _line(measurement, tags, fields, _timestamp(token) if token else None), pos


def _tag_comma(text: str, pos: int, end: int) -> int:
    """Past the comma that opens a tag, if there is one; a tag key must follow it."""
    if pos < end and text[pos] == ",":
        pos += 1
        if pos >= end or text[pos] in " \r\n":
            raise _syntax("expected a tag key after a comma")
    return pos


def _key(text: str, pos: int, end: int, what: str) -> tuple[str, int]:
    """A tag or field key and the position after its ``=``."""
    token = _KEY.match(text, pos).group()  # type: ignore[union-attr]
    pos += len(token)
    if not token:
        found = repr(text[pos]) if pos < end else "the end of the line"
        raise _syntax(f"expected a {what}, found {found}")
    key = _KEY_ESCAPE.sub(r"\1", token) if "\\" in token else token
    if pos >= end or text[pos] != "=":
        raise _syntax(f"expected '=' after {what} {key!r}")
    return key, pos + 1


def _line(
    measurement: str,
    tags: list[tuple[str, str]],
    fields: dict[str, float | int | str | bool],
    timestamp: int | None,
) -> Line:
    tag_dict = dict(tags)
    if len(tag_dict) != len(tags):
        seen: set[str] = set()
        for key, _ in tags:
            if key in seen:
                raise Rejected("duplicate_tag", f"tag {key!r} appears twice in one line")
            seen.add(key)
    return Line(measurement, tag_dict, fields, timestamp)


def _value(key: str, token: str) -> float | int | bool:
    if not token:
        raise _syntax(f"field {key!r} has no value")
    first, last = token[0], token[-1]
    if first in "tTfF":
        if token in _TRUE:
            return True
        if token in _FALSE:
            return False
        raise _syntax(f"field {key!r}: invalid boolean {token[:40]!r}")
    if first not in "-0123456789.":
        if token.lower() in _NOT_A_NUMBER:
            raise Rejected("non_finite_value", f"{key}={token}")
        raise _syntax(f"field {key!r}: value {token[:40]!r} has no type line protocol knows")
    if last == "i":
        digits = token[:-1]
        if not _INTEGER.fullmatch(digits):
            raise _syntax(f"field {key!r}: invalid integer {token[:40]!r}")
        number = int(digits)
        if not _INT64[0] <= number <= _INT64[1]:
            raise Rejected("integer_out_of_range", f"{key}={token[:40]} does not fit an int64")
        return number
    if last == "u":
        digits = token[:-1]
        if not _UNSIGNED.fullmatch(digits):
            if digits[:1] == "-" and _UNSIGNED.fullmatch(digits[1:]):
                raise Rejected("negative_unsigned", f"{key}={token[:40]}")
            raise _syntax(f"field {key!r}: invalid unsigned integer {token[:40]!r}")
        number = int(digits)
        if number > _UINT64_MAX:
            raise Rejected("integer_out_of_range", f"{key}={token[:40]} does not fit a uint64")
        return number
    return _float(key, token)


def _float(key: str, token: str) -> float:
    if _DECIMAL.fullmatch(token):
        value = float(token)  # Python reads every string _DECIMAL accepts as Go does
    elif _HEX.fullmatch(token):
        try:
            value = float.fromhex(token.replace("_", ""))
        except OverflowError:
            value = math.inf
    elif token.lower() in _NEGATIVE_INFINITY:
        value = -math.inf
    else:
        raise _syntax(f"field {key!r}: invalid number {token[:40]!r}")
    if not math.isfinite(value):
        raise Rejected("non_finite_value", f"{key}={token[:40]} is not a finite float64")
    return value


def _timestamp(token: str) -> int:
    if not _INTEGER.fullmatch(token):
        raise _syntax(f"invalid timestamp {token[:40]!r}")
    value = int(token)
    if not _INT64[0] <= value <= _INT64[1]:
        raise Rejected("timestamp_out_of_range", f"{token[:40]} ns does not fit an int64")
    return value


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
