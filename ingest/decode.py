"""Decoding and validating gateway payloads: pure functions, no I/O, so they can be fuzzed.

A message is accepted whole or rejected whole with one reason: a gateway that sends one bad
reading in a batch is told which, and the good ones are not half-stored.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from ingest import lineprotocol
from ingest.points import TELEMETRY, Point, Reading
from ingest.rejections import Rejected

# "time" is InfluxDB's timestamp column: it refuses a point whose only field is "time" and
# silently drops such a field beside others, so a message could end up half stored.
METRIC_NAME = re.compile(r"(?!time\Z)[A-Za-z][A-Za-z0-9_]{0,63}")
ASSET_TYPE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# Before 2000-01-01: almost always epoch seconds sent where milliseconds are expected.
MIN_TS_MS = 946_684_800_000


@dataclass(frozen=True)
class Limits:
    max_payload_bytes: int = 4 * 1024 * 1024
    max_readings: int = 10_000
    max_future_skew_ms: int = 300_000


# A validated reading: asset type, timestamp (ms), metrics, whether the timestamp is the receive
# time. Both decode_message and decode_points are built from these, so they validate alike.
_Row = tuple[str, int, dict[str, float], bool]


def decode_message(
    *, site: str, asset: str, payload: bytes, received_ms: int, limits: Limits
) -> list[Reading]:
    """Readings in a gateway message, or Rejected with the first problem found."""
    return [
        Reading(site, asset, asset_type, ts_ms, metrics, estimated)
        for asset_type, ts_ms, metrics, estimated in _rows(
            site, asset, payload, received_ms, limits
        )
    ]


def decode_points(
    *, site: str, asset: str, payload: bytes, received_ms: int, limits: Limits
) -> tuple[list[Point], int]:
    """What decode_message finds, as the telemetry points to store (``Reading.to_point``) without
    the Readings in between, and how many readings had no timestamp of their own.

    The collector's path: per reading it skips a Reading and a tags dict (points of one series
    share one; treat it as read-only, like the Point).
    """
    points = []
    estimated_count = 0
    series = _series_tags
    for asset_type, ts_ms, metrics, estimated in _rows(site, asset, payload, received_ms, limits):
        tags = series.get((site, asset, asset_type))
        if tags is None:
            if len(series) >= _MAX_REMEMBERED_SERIES:
                series.clear()
            tags = series[(site, asset, asset_type)] = {
                "site": site,
                "asset": asset,
                "asset_type": asset_type,
            }
        points.append(Point(TELEMETRY, tags, metrics, ts_ms))
        estimated_count += estimated
    return points, estimated_count


# Tags dicts by series, shared by the points decode_points makes; cleared when it grows too big.
_series_tags: dict[tuple[str, str, str], dict[str, str]] = {}
_MAX_REMEMBERED_SERIES = 100_000


def _rows(site: str, asset: str, payload: bytes, received_ms: int, limits: Limits) -> list[_Row]:
    if len(payload) > limits.max_payload_bytes:
        raise Rejected(
            "payload_too_large", f"{len(payload)} bytes, the limit is {limits.max_payload_bytes}"
        )
    head = payload.lstrip()[:1]
    if not head:
        raise Rejected("empty_payload", "no bytes")
    if head in (b"{", b"["):
        items = _json_readings(payload, limits)
        return [_row(item, received_ms, limits) for item in items]
    return _line_protocol_rows(site, asset, payload, received_ms, limits)


def _json_readings(payload: bytes, limits: Limits) -> list[Any]:
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise _why_json_failed(payload, error) from None
    if isinstance(document, dict) and "readings" in document:
        document = document["readings"]
        if not isinstance(document, list):
            raise Rejected("bad_shape", '"readings" must be an array')
    items = document if isinstance(document, list) else [document]
    if not items:
        raise Rejected("bad_shape", "no readings")
    if len(items) > limits.max_readings:
        raise Rejected(
            "too_many_readings", f"{len(items)} readings, the limit is {limits.max_readings}"
        )
    return items


def _why_json_failed(payload: bytes, error: Exception) -> Rejected:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as bad:
        return Rejected("not_utf8", f"invalid byte at offset {bad.start}")
    # orjson refuses NaN and Infinity literals; the stdlib parser tells whether that was the cause.
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except _NonFiniteError as constant:
        return Rejected("non_finite_value", f"{constant} is not a finite number")
    except ValueError:
        return Rejected("invalid_json", str(error))
    # Parsed by the stdlib but not by orjson: a number overflowing to infinity, such as 1e999.
    return Rejected("non_finite_value", f"a number overflows a double ({error})")


class _NonFiniteError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NonFiniteError(name)


def _row(item: Any, received_ms: int, limits: Limits) -> _Row:
    if not isinstance(item, dict):
        raise Rejected("bad_shape", f"a reading must be an object, got {type(item).__name__}")
    asset_type = item.get("asset_type")
    if not isinstance(asset_type, str) or not asset_type:
        raise Rejected("missing_asset_type", "each reading needs a non-empty asset_type string")
    if asset_type not in _VALID_ASSET_TYPES and not _remember(
        ASSET_TYPE, asset_type, _VALID_ASSET_TYPES
    ):
        raise Rejected("bad_shape", f"asset_type {asset_type[:70]!r} has characters not allowed")
    metrics = item.get("metrics")
    if metrics is None or metrics == {}:
        raise Rejected("no_metrics", "a reading needs a non-empty metrics object")
    if not isinstance(metrics, dict):
        raise Rejected("bad_shape", "metrics must be an object of name: number")
    ts_ms, estimated = _timestamp(item.get("ts"), received_ms, limits)
    return asset_type, ts_ms, _metrics(metrics), estimated


# Names already seen to match METRIC_NAME, and asset types seen to match ASSET_TYPE: a set lookup
# instead of a regex per metric per reading saves about a third of decoding time for 50-reading
# messages (bench/ingest.py). Bounded, so a gateway sending random names cannot grow them.
_VALID_METRIC_NAMES: set[str] = set()
_VALID_ASSET_TYPES: set[str] = set()
_MAX_REMEMBERED = 10_000


def _remember(pattern: re.Pattern[str], name: str, seen: set[str]) -> bool:
    if not pattern.fullmatch(name):
        return False
    if len(seen) < _MAX_REMEMBERED:
        seen.add(name)
    return True


def _metrics(raw: dict[str, Any]) -> dict[str, float]:
    # The common case in one pass of C code: names all seen before, values all floats (JSON
    # numbers with a fraction or exponent; orjson never yields NaN or infinity, line protocol
    # can), all finite (a sum of finite floats is finite unless it overflows, which only sends it
    # to the checks below). Anything else takes the loop, which finds the first problem in order.
    values = raw.values()
    if (
        raw.keys() <= _VALID_METRIC_NAMES
        and set(map(type, values)) == _ONLY_FLOAT
        and math.isfinite(sum(values))
    ):
        return raw
    metrics: dict[str, float] = {}
    for name, value in raw.items():
        if name not in _VALID_METRIC_NAMES and not _remember(
            METRIC_NAME, name, _VALID_METRIC_NAMES
        ):
            reserved = " is reserved (InfluxDB's time column)" if name == "time" else ""
            raise Rejected("bad_metric_name", f"{name[:70]!r}{reserved}")
        # A tuple, not int | float: isinstance is faster with it.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Rejected("non_numeric_value", f"{name}={str(value)[:40]!r}")
        number = float(value)
        if not math.isfinite(number):
            raise Rejected("non_finite_value", f"{name}={number}")
        metrics[name] = number
    return metrics


_ONLY_FLOAT = {float}


def _timestamp(raw: Any, received_ms: int, limits: Limits) -> tuple[int, bool]:
    if raw is None:
        return received_ms, True
    if isinstance(raw, bool):
        raise Rejected("bad_timestamp", f"{raw!r}")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise Rejected("bad_timestamp", f"{raw!r}")
        ts_ms = int(raw)
    elif isinstance(raw, str):
        ts_ms = _rfc3339_ms(raw)
    else:
        raise Rejected("bad_timestamp", f"expected RFC 3339 or epoch ms, got {type(raw).__name__}")
    return check_timestamp(ts_ms, received_ms, limits), False


def _rfc3339_ms(text: str) -> int:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected("bad_timestamp", f"{text[:40]!r} is not RFC 3339") from None
    if parsed.tzinfo is None:
        raise Rejected("bad_timestamp", f"{text[:40]!r} has no UTC offset (add Z or +hh:mm)")
    try:
        return int(parsed.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        raise Rejected("bad_timestamp", f"{text[:40]!r} is out of range") from None


def check_timestamp(ts_ms: int, received_ms: int, limits: Limits) -> int:
    if ts_ms < MIN_TS_MS:
        raise Rejected("timestamp_too_old", f"{ts_ms} ms is before 2000-01-01")
    if ts_ms > received_ms + limits.max_future_skew_ms:
        ahead = (ts_ms - received_ms) / 1000
        raise Rejected(
            "timestamp_in_future",
            f"{ahead:.0f} s ahead of the receive time, the limit is "
            f"{limits.max_future_skew_ms / 1000:.0f} s",
        )
    return ts_ms


def _line_protocol_rows(
    site: str, asset: str, payload: bytes, received_ms: int, limits: Limits
) -> list[_Row]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise Rejected("not_utf8", f"invalid byte at offset {bad.start}") from None
    lines = lineprotocol.parse(text)
    if not lines:
        raise Rejected("empty_payload", "no lines")
    if len(lines) > limits.max_readings:
        raise Rejected(
            "too_many_readings", f"{len(lines)} lines, the limit is {limits.max_readings}"
        )
    rows = []
    for line in lines:
        if line.measurement != TELEMETRY:
            raise Rejected(
                "bad_shape", f"measurement must be {TELEMETRY!r}, got {line.measurement!r}"
            )
        for tag, expected in (("site", site), ("asset", asset)):
            if tag in line.tags and line.tags[tag] != expected:
                raise Rejected("bad_shape", f"tag {tag}={line.tags[tag]!r} differs from the topic")
        item: dict[str, Any] = {"asset_type": line.tags.get("asset_type"), "metrics": line.fields}
        row = _row(item, received_ms, limits)
        if line.timestamp_ns is not None:
            ts_ms = check_timestamp(line.timestamp_ns // 1_000_000, received_ms, limits)
            row = (row[0], ts_ms, row[2], False)
        rows.append(row)
    return rows
