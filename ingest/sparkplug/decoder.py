"""The Sparkplug B host side of the collector: one message in, points out (or Rejected).

Stateful, unlike the JSON decoder: the collector's single worker calls it in arrival order, so
the sessions it keeps see each edge node's messages in the order the broker delivered them. Run
it on one collector only (Sparkplug's sequence numbers assume one ordered stream per node; a
shared subscription would split it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from ingest.decode import Limits, check_timestamp
from ingest.mqtt import Message
from ingest.points import TELEMETRY, Point
from ingest.rejections import Rejected
from ingest.sparkplug.mapping import Mapping, Target
from ingest.sparkplug.payload import Payload, bd_seq, decode_payload, metric_value
from ingest.sparkplug.session import Born, CatalogEntry, NodeSession, learn_birth
from ingest.sparkplug.topic import SparkplugTopic, parse_topic
from ingest.status import status_point

log = logging.getLogger(__name__)

# At most one Rebirth request per edge node this often: a node that keeps sending DATA while it
# reconnects must not be answered with a storm of commands.
REBIRTH_INTERVAL_S = 2.0

RequestRebirth = Callable[[str, str], None]


class BirthRecord(Protocol):
    """Where what the BIRTH messages declared is kept (``MetricCatalog``)."""

    def record(self, entries: Sequence[CatalogEntry]) -> None: ...

    def record_device(self, group: str, node: str, site: str, asset: str) -> None: ...

    def devices_of(self, group: str, node: str) -> list[tuple[str, str]]: ...


class SparkplugDecoder:
    def __init__(
        self,
        *,
        mapping: Mapping,
        limits: Limits,
        request_rebirth: RequestRebirth,
        births: BirthRecord | None = None,
    ) -> None:
        self.mapping = mapping
        self.limits = limits
        self._request_rebirth = request_rebirth
        self._births = births
        self.sessions: dict[tuple[str, str], NodeSession] = {}
        self.rebirths_requested = 0
        self._last_rebirth: dict[tuple[str, str], float] = {}

    def decode(self, message: Message) -> list[Point]:
        topic = parse_topic(message.topic)
        if topic is None:
            raise Rejected(
                "topic_mismatch",
                f"{message.topic[:200]!r} is not a Sparkplug B node or device topic",
            )
        if len(message.payload) > self.limits.max_payload_bytes:
            raise Rejected(
                "payload_too_large",
                f"{len(message.payload)} bytes, the limit is {self.limits.max_payload_bytes}",
            )
        payload = decode_payload(message.payload, needs_seq=topic.kind != "NDEATH")
        key = (topic.group, topic.node)
        if topic.kind == "NBIRTH":
            return self._node_birth(topic, payload, message.received_ms)
        if topic.kind == "NDEATH":
            return self._node_death(topic, payload, message.received_ms)
        session = self.sessions.get(key)
        if session is None:
            self.rebirth(topic.group, topic.node)
            raise Rejected("sparkplug_before_birth", f"{topic.kind} before the edge node's NBIRTH")
        try:
            session.check_seq(int(payload.seq))
        except Rejected:
            del self.sessions[key]
            self.rebirth(topic.group, topic.node)
            raise
        if topic.kind == "NDATA":
            return self._values(session.node, payload, message.received_ms)
        assert topic.device is not None
        if topic.kind == "DBIRTH":
            target = self.mapping.device(topic.group, topic.node, topic.device)
            born = self._learn(payload, target)
            session.devices[topic.device] = born
            if self._births is not None:
                self._births.record_device(topic.group, topic.node, target.site, target.asset)
            values = self._values(born, payload, message.received_ms)
            return [*values, self._status(born, True, message.received_ms)]
        device = session.devices.get(topic.device)
        if device is None:
            self.rebirth(topic.group, topic.node)
            raise Rejected(
                "sparkplug_before_birth", f"{topic.kind} before the DBIRTH of {topic.device!r}"
            )
        if topic.kind == "DDEATH":
            del session.devices[topic.device]
            return [self._status(device, False, message.received_ms)]
        return self._values(device, payload, message.received_ms)

    def rebirth(self, group: str, node: str) -> None:
        now = time.monotonic()
        if now - self._last_rebirth.get((group, node), -REBIRTH_INTERVAL_S) < REBIRTH_INTERVAL_S:
            return
        self._last_rebirth[(group, node)] = now
        self.rebirths_requested += 1
        log.info("Sparkplug: requesting a Rebirth from %s/%s", group, node)
        self._request_rebirth(group, node)

    # -- lifecycle ------------------------------------------------------------------------------

    def _node_birth(self, topic: SparkplugTopic, payload: Payload, received_ms: int) -> list[Point]:
        born = self._learn(payload, self.mapping.node(topic.group, topic.node))
        # Devices of an earlier session must be born again: their aliases may have changed.
        self.sessions[(topic.group, topic.node)] = NodeSession(
            bd_seq(payload), (int(payload.seq) + 1) % 256, born
        )
        values = self._values(born, payload, received_ms)
        return [*values, self._status(born, True, received_ms)]

    def _node_death(self, topic: SparkplugTopic, payload: Payload, received_ms: int) -> list[Point]:
        key = (topic.group, topic.node)
        session = self.sessions.get(key)
        death_seq = bd_seq(payload)
        if session is None:
            # No session of this node (Vigil restarted since its BIRTH): its own asset and the
            # devices it has had are offline.
            target = self.mapping.node(topic.group, topic.node)
            known = self._births.devices_of(topic.group, topic.node) if self._births else []
            return [
                status_point(site, asset, online=False, ts_ms=received_ms)
                for site, asset in [(target.site, target.asset), *known]
            ]
        if None not in (death_seq, session.bd_seq) and death_seq != session.bd_seq:
            raise Rejected(
                "sparkplug_stale_death",
                f"NDEATH bdSeq {death_seq} is not the current session's {session.bd_seq}",
            )
        del self.sessions[key]
        born = [session.node, *session.devices.values()]
        return [self._status(b, False, received_ms) for b in born]

    def _learn(self, payload: Payload, target: Target) -> Born:
        born = learn_birth(payload, target, self.mapping)
        if self._births is not None:
            self._births.record(born.catalog())
        return born

    # -- values ---------------------------------------------------------------------------------

    def _values(self, born: Born, payload: Payload, received_ms: int) -> list[Point]:
        """Numeric metrics as telemetry points, one per distinct timestamp."""
        default_ts = int(payload.timestamp) if payload.HasField("timestamp") else received_ms
        by_ts: dict[int, dict[str, float]] = {}
        for metric in payload.metrics:
            known = born.resolve(metric)
            if known.name is None:
                continue
            value = metric_value(metric, known.datatype)
            if value.value is None:
                continue
            if value.value != value.value or value.value in (float("inf"), float("-inf")):
                raise Rejected("non_finite_value", f"{known.sparkplug_name}={value.value}")
            ts_ms = check_timestamp(value.ts_ms or default_ts, received_ms, self.limits)
            by_ts.setdefault(ts_ms, {})[known.name] = value.value
        target = born.target
        tags = {"site": target.site, "asset": target.asset, "asset_type": born.asset_type}
        return [Point(TELEMETRY, tags, fields, ts) for ts, fields in sorted(by_ts.items())]

    @staticmethod
    def _status(born: Born, online: bool, received_ms: int) -> Point:
        return status_point(born.target.site, born.target.asset, online=online, ts_ms=received_ms)
