"""Gateway status messages: retained ``online``/``offline`` on the status topic (the Last Will)."""

from __future__ import annotations

import orjson

from ingest.mqtt import Message
from ingest.points import Point
from ingest.rejections import Rejected

GATEWAY_STATUS = "gateway_status"


def decode_status(site: str, asset: str, message: Message) -> Point:
    text = message.payload.strip()
    if text.startswith(b"{"):
        try:
            text = str(orjson.loads(text).get("status", "")).encode()
        except (orjson.JSONDecodeError, AttributeError):
            raise Rejected(
                "bad_shape", 'status must be online, offline or {"status": ...}'
            ) from None
    if text not in (b"online", b"offline"):
        raise Rejected("bad_shape", f"status must be online or offline, got {text[:40]!r}")
    return Point(
        GATEWAY_STATUS,
        {"site": site, "asset": asset},
        {"online": 1.0 if text == b"online" else 0.0},
        message.received_ms,
    )
