"""Why a gateway message was refused. Every reason is distinct, documented and counted."""

from __future__ import annotations

REASONS: dict[str, str] = {
    "topic_mismatch": "the topic does not fit the topic template, or a site/asset id has bad characters",
    "payload_too_large": "the payload is larger than the size limit",
    "empty_payload": "the payload is empty",
    "not_utf8": "the payload is not valid UTF-8 text",
    "invalid_json": "the payload starts like JSON but does not parse",
    "bad_shape": 'valid JSON, but not a reading, an array of readings or {"readings": [...]}',
    "missing_asset_type": "a reading has no asset_type (a non-empty string)",
    "too_many_readings": "more readings in one message than the limit",
    "no_metrics": "a reading has no metrics",
    "bad_metric_name": "a metric name does not match ^[A-Za-z][A-Za-z0-9_]{0,63}$",
    "non_numeric_value": "a metric value is not a number (string, boolean, null, object)",
    "non_finite_value": "a metric value is NaN or infinite, or overflows a double",
    "bad_timestamp": "a timestamp is neither RFC 3339 nor epoch milliseconds",
    "timestamp_in_future": "a timestamp is further in the future than the allowed clock skew",
    "timestamp_too_old": "a timestamp is before 2000-01-01 (often epoch seconds sent as milliseconds)",
    "line_protocol_syntax": "InfluxDB line protocol that InfluxDB's decoder refuses (missing parts, bad values)",
    "duplicate_tag": "line protocol with the same tag key twice in one line",
    "integer_out_of_range": "a line-protocol integer (i) or unsigned integer (u) outside 64 bits",
    "negative_unsigned": "a line-protocol unsigned integer (u) with a minus sign",
    "timestamp_out_of_range": "a line-protocol timestamp that does not fit a signed 64-bit integer",
    "sparkplug_bad_payload": "a Sparkplug B message whose payload is not a valid Sparkplug B protobuf (or lacks its seq, or a BIRTH metric its name or datatype)",
    "sparkplug_before_birth": "a Sparkplug B DATA, DBIRTH or DDEATH before the BIRTH of its edge node or device (a Rebirth is requested)",
    "sparkplug_unknown_alias": "a Sparkplug B DATA metric whose alias or name its BIRTH did not declare",
    "sparkplug_sequence_gap": "a Sparkplug B message whose seq is not the next one (lost or out of order; a Rebirth is requested)",
    "sparkplug_stale_death": "a Sparkplug B NDEATH whose bdSeq belongs to an earlier session of the edge node",
    "store_rejected": "the telemetry store refused the readings as invalid",
}


class Rejected(Exception):
    """A message that breaks the gateway contract; it goes to quarantine with this reason."""

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
