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
    return status_point(site, asset, online=text == b"online", ts_ms=message.received_ms)


def status_point(site: str, asset: str, *, online: bool, ts_ms: int) -> Point:
    """The stored form of a presence change: the Last Will's and Sparkplug's BIRTH and DEATH."""
    return Point(GATEWAY_STATUS, {"site": site, "asset": asset}, {"online": float(online)}, ts_ms)
