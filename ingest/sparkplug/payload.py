"""Sparkplug B payloads: protobuf decoding (Eclipse Tahu's schema) and metric values as numbers.

Integers travel as unsigned protobuf fields (``int_value`` for 8 to 32 bits, ``long_value`` for
64); signed types are two's complement in them, as Tahu's own ``addMetric`` writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from tahutils.tahu import sparkplug_b_pb2

from ingest.rejections import Rejected

Payload = Any  # sparkplug_b_pb2.Payload: generated code without type stubs
REBIRTH_METRIC = "Node Control/Rebirth"

# Datatype number -> (name, bits of a signed integer type or 0, protobuf field holding the value).
_INT_TYPES: dict[int, tuple[int, str]] = {
    1: (8, "int_value"),  # Int8
    2: (16, "int_value"),  # Int16
    3: (32, "int_value"),  # Int32
    4: (64, "long_value"),  # Int64
    5: (0, "int_value"),  # UInt8
    6: (0, "int_value"),  # UInt16
    7: (0, "int_value"),  # UInt32
    8: (0, "long_value"),  # UInt64
}
FLOAT, DOUBLE, BOOLEAN = 9, 10, 11
NUMERIC_TYPES = frozenset(_INT_TYPES) | {FLOAT, DOUBLE, BOOLEAN}
# Metric property keys that carry a unit, as Ignition and Tahu-based edge nodes name it.
UNIT_KEYS = ("engUnit", "engUnits", "units", "Units", "unit")


def datatype_name(number: int) -> str:
    try:
        return str(sparkplug_b_pb2.DataType.Name(number))
    except ValueError:
        return f"Unknown({number})"


def decode_payload(data: bytes, *, needs_seq: bool) -> Payload:
    """The protobuf payload, or Rejected(sparkplug_bad_payload)."""
    payload = sparkplug_b_pb2.Payload()
    try:
        payload.ParseFromString(data)
    except DecodeError as error:
        raise Rejected("sparkplug_bad_payload", f"not a Sparkplug B payload: {error}") from None
    if needs_seq and not payload.HasField("seq"):
        raise Rejected("sparkplug_bad_payload", "no sequence number (seq)")
    if payload.HasField("seq") and payload.seq > 255:
        raise Rejected("sparkplug_bad_payload", f"seq {payload.seq} is outside 0..255")
    return payload


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A metric as read from one message: its value when numeric, None when null or not numeric."""

    datatype: int
    value: float | None
    ts_ms: int | None


def metric_value(metric: Any, datatype: int) -> MetricValue:
    ts_ms = int(metric.timestamp) if metric.HasField("timestamp") else None
    if metric.is_null or datatype not in NUMERIC_TYPES:
        return MetricValue(datatype, None, ts_ms)
    field = metric.WhichOneof("value")
    if datatype in _INT_TYPES:
        bits, expected = _INT_TYPES[datatype]
        if field != expected:
            raise Rejected("sparkplug_bad_payload", f"{datatype_name(datatype)} without {expected}")
        raw = int(getattr(metric, expected))
        if bits:
            raw &= (1 << bits) - 1
            if raw >= 1 << (bits - 1):
                raw -= 1 << bits
        return MetricValue(datatype, float(raw), ts_ms)
    expected = {FLOAT: "float_value", DOUBLE: "double_value", BOOLEAN: "boolean_value"}[datatype]
    if field != expected:
        raise Rejected("sparkplug_bad_payload", f"{datatype_name(datatype)} without {expected}")
    return MetricValue(datatype, float(getattr(metric, expected)), ts_ms)


def metric_unit(metric: Any) -> str | None:
    properties = metric.properties
    for key, value in zip(properties.keys, properties.values, strict=False):
        if key in UNIT_KEYS and value.WhichOneof("value") == "string_value":
            return str(value.string_value)
    return None


def metric_string(metric: Any) -> str | None:
    if metric.WhichOneof("value") == "string_value" and not metric.is_null:
        return str(metric.string_value)
    return None


def bd_seq(payload: Payload) -> int | None:
    """The birth/death sequence number an NBIRTH or NDEATH carries in its ``bdSeq`` metric."""
    for metric in payload.metrics:
        if metric.name == "bdSeq":
            field = metric.WhichOneof("value")
            if field in ("long_value", "int_value"):
                return int(getattr(metric, field))
    return None


def rebirth_request() -> bytes:
    """An NCMD payload asking the edge node to publish its BIRTH messages again."""
    payload = sparkplug_b_pb2.Payload()
    payload.timestamp = int(time.time() * 1000)
    metric = payload.metrics.add()
    metric.name = REBIRTH_METRIC
    metric.timestamp = payload.timestamp
    metric.datatype = BOOLEAN
    metric.boolean_value = True
    return bytes(payload.SerializeToString())


def host_state(*, online: bool, timestamp_ms: int) -> bytes:
    """The STATE payload of a Sparkplug B 3.0 host application: JSON, online and since when (the
    birth and its Will carry the same timestamp)."""
    return orjson.dumps({"online": online, "timestamp": timestamp_ms})
