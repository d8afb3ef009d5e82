"""The collector: decode, store durably in batches, then acknowledge in arrival order.

paho's network thread only queues messages; one worker thread decodes them (pure functions),
writes a batch when it is full, old enough or the queue is idle, and acks each message only after
its readings are in the store (or the spool) or its rejection is in quarantine. A store that is
down is retried with backoff while nothing is acked, so the broker keeps the messages. The network
thread waits before queueing more while too many bytes are unacknowledged, so memory stays bounded
when messages are large (the broker's Receive Maximum only bounds their number).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.decode import Limits, decode_points
from ingest.mqtt import Message
from ingest.points import Point
from ingest.quarantine import Quarantine, QuarantineEntry
from ingest.rejections import Rejected
from ingest.replay import Replayer
from ingest.sparkplug.decoder import SparkplugDecoder
from ingest.sparkplug.topic import PREFIX as SPARKPLUG_PREFIX
from ingest.spool import Spool, SpooledMessage, SpoolFull
from ingest.status import decode_status
from ingest.store.base import StoreRejected, StoreUnavailable, TelemetryStore
from ingest.topics import TopicTemplate

log = logging.getLogger(__name__)

# With a small broker in-flight window (Mosquitto's default of 20 for MQTT 3.1.1), a batch would
# never fill; flushing when the queue has been idle this long keeps latency low in that case.
IDLE_FLUSH_S = 0.005
# While a batch is open the worker looks at the queue this often instead of waiting in it.
POLL_S = 0.001
# What a queued message costs beyond its payload and topic: the Message, bytes and str headers.
MESSAGE_OVERHEAD_BYTES = 200
# How long the network thread waits for room at most before taking a message anyway: it must get
# back to paho's loop now and then to send keepalives while the store is down and nothing drains.
ROOM_WAIT_S = 5.0


@dataclass
class CollectorStats:
    messages: int = 0
    readings_stored: int = 0
    readings_spooled: int = 0
    readings_replayed: int = 0
    readings_without_ts: int = 0
    status_updates: int = 0
    batches: int = 0
    store_retries: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    last_flush_ms: int = 0
    # Receive time minus reading time of the newest stored reading: how far ingest lags.
    lag_ms: int = 0

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())


@dataclass
class _Batch:
    messages: list[Message] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    # Per message: the slice of `points` it contributed, to find the culprit of a rejection.
    spans: list[tuple[int, int]] = field(default_factory=list)
    rejected: list[QuarantineEntry] = field(default_factory=list)
    opened: float = 0.0


class Collector:
    def __init__(
        self,
        *,
        store: TelemetryStore,
        quarantine: Quarantine,
        telemetry_topics: TopicTemplate,
        status_topics: TopicTemplate | None,
        ack: Callable[[int, int], None],
        limits: Limits | None = None,
        batch_size: int = 5_000,
        batch_ms: int = 200,
        retry_max_s: float = 10.0,
        spool: Spool | None = None,
        max_inflight_bytes: int = 16 * 1024 * 1024,
        sparkplug: SparkplugDecoder | None = None,
    ) -> None:
        self.store = store
        self.quarantine = quarantine
        self.telemetry_topics = telemetry_topics
        self.status_topics = status_topics
        self.limits = limits or Limits()
        self.batch_size = batch_size
        self.batch_s = batch_ms / 1000
        self.retry_max_s = retry_max_s
        self.spool = spool
        self.sparkplug = sparkplug
        self.stats = CollectorStats()
        self._ack = ack
        self._queue: queue.SimpleQueue[Message] = queue.SimpleQueue()
        # Bytes received and not yet acknowledged (queued or in the open batch): the broker's
        # Receive Maximum bounds messages, this bounds memory when messages are large. Each
        # counter has one writer (the network thread, the worker), so no lock is needed.
        self.max_inflight_bytes = max_inflight_bytes
        self._received_bytes = 0
        self._released_bytes = 0
        self._received = 0  # messages; the network thread writes it
        self._acknowledged = 0  # messages; the worker writes it
        self._room = threading.Event()
        self._room.set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._replayer: threading.Thread | None = None

    # -- threads --------------------------------------------------------------------------------

    def submit(self, message: Message) -> None:
        """Called from the MQTT network thread: hand off only.

        Once stopping, nothing new is taken: such a message stays unacknowledged, so the broker
        redelivers it to the next session, and the worker can drain and exit even while
        gateways keep publishing (otherwise it never sees an empty queue).
        """
        if self._stop.is_set():
            return
        if self._received_bytes - self._released_bytes > self.max_inflight_bytes:
            self._wait_for_room()
            if self._stop.is_set():
                return
        self._received_bytes += len(message.payload) + len(message.topic) + MESSAGE_OVERHEAD_BYTES
        self._received += 1
        self._queue.put(message)

    def _wait_for_room(self) -> None:
        """Hold paho's network thread, so it reads nothing more from the broker, until the worker
        has acknowledged enough to bring what is in flight down to half the limit (it then sets
        ``_room``), or ROOM_WAIT_S has passed."""
        self._room.clear()
        deadline = time.monotonic() + ROOM_WAIT_S
        while self.inflight_bytes > self.max_inflight_bytes // 2 and not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._room.wait(min(left, 0.1))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="collector", daemon=True)
        self._thread.start()
        if self.spool is not None:
            self._replayer = threading.Thread(target=self.replay, name="spool-replay", daemon=True)
            self._replayer.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Flush and acknowledge what is durable, then return. The spool stays on disk."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._replayer is not None:
            self._replayer.join(timeout)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    @property
    def inflight_bytes(self) -> int:
        return self._received_bytes - self._released_bytes

    @property
    def acks_pending(self) -> int:
        """Messages received and not yet acknowledged (queued, or in the open batch)."""
        return self._received - self._acknowledged

    def run(self) -> None:
        batch = _Batch()
        get, get_nowait = self._queue.get, self._queue.get_nowait
        last = 0.0  # when the open batch last received a message
        while True:
            try:
                message = get_nowait()
            except queue.Empty:
                if batch.messages:
                    # Poll instead of blocking: a worker blocked in get() is woken by every put(),
                    # and the GIL then changes threads once per message (py-spy, 1-reading runs).
                    if time.monotonic() - last >= IDLE_FLUSH_S:
                        batch = self._flush(batch)
                    else:
                        time.sleep(POLL_S)
                    continue
                try:
                    message = get(timeout=0.1)
                except queue.Empty:
                    if self._stop.is_set():
                        return
                    continue
            last = time.monotonic()
            if not batch.messages:
                batch.opened = last
            self._add(batch, message)
            if len(batch.points) >= self.batch_size or last - batch.opened >= self.batch_s:
                batch = self._flush(batch)

    # -- decoding -------------------------------------------------------------------------------

    def _add(self, batch: _Batch, message: Message) -> None:
        self.stats.messages += 1
        batch.messages.append(message)
        start = len(batch.points)
        try:
            batch.points.extend(self._decode(message))
        except Rejected as rejected:
            batch.rejected.append(_entry(message, rejected.reason, rejected.detail))
        batch.spans.append((start, len(batch.points)))

    def _decode(self, message: Message) -> list[Point]:
        names = self.telemetry_topics.match(message.topic)
        if names is not None:
            points, without_ts = decode_points(
                site=names["site"],
                asset=names["asset"],
                payload=message.payload,
                received_ms=message.received_ms,
                limits=self.limits,
            )
            self.stats.readings_without_ts += without_ts
            return points
        names = self.status_topics.match(message.topic) if self.status_topics else None
        if names is not None:
            self.stats.status_updates += 1
            return [decode_status(names["site"], names["asset"], message)]
        # After the JSON templates, so their hot path pays nothing for Sparkplug B.
        if self.sparkplug is not None and message.topic.startswith(SPARKPLUG_PREFIX):
            return self.sparkplug.decode(message)
        raise Rejected("topic_mismatch", f"topic {message.topic[:200]!r} fits no template")

    # -- storing and acknowledging --------------------------------------------------------------

    def _flush(self, batch: _Batch) -> _Batch:
        if batch.points:
            self._store(batch)
        if batch.rejected:
            self._durably(lambda: self.quarantine.add_many(batch.rejected), "quarantine")
            self.stats.quarantined.update(entry.reason for entry in batch.rejected)
        released = 0
        for message in batch.messages:
            self._ack(message.mid, message.qos)
            released += len(message.payload) + len(message.topic) + MESSAGE_OVERHEAD_BYTES
        self._released_bytes += released
        self._acknowledged += len(batch.messages)
        if not self._room.is_set() and self.inflight_bytes <= self.max_inflight_bytes // 2:
            self._room.set()
        self.stats.batches += 1
        self.stats.last_flush_ms = int(time.time() * 1000)
        return _Batch()

    def _store(self, batch: _Batch) -> None:
        # While the spool holds anything, new readings queue behind it, so replay stays in order.
        if self.spool is not None and not self.spool.empty:
            self._spool(batch)
            return
        try:
            if self.spool is not None:
                self.store.write(batch.points)
            else:
                self._durably(lambda: self.store.write(batch.points), "store")
        except StoreUnavailable as error:
            log.warning("store unavailable, spooling %d readings: %s", len(batch.points), error)
            self._spool(batch)
            return
        except StoreRejected as error:
            log.warning("store refused a batch (%s); writing its messages one by one", error)
            self._store_each(batch)
            return
        self.stats.readings_stored += len(batch.points)
        newest = max(point.ts_ms for point in batch.points)
        self.stats.lag_ms = max(0, batch.messages[-1].received_ms - newest)

    def _spool(self, batch: _Batch) -> None:
        assert self.spool is not None
        try:
            self.spool.append(
                [
                    SpooledMessage(
                        message.topic, message.received_ms, message.payload, batch.points[a:b]
                    )
                    for message, (a, b) in zip(batch.messages, batch.spans, strict=True)
                    if a != b
                ]
            )
            self.stats.readings_spooled += len(batch.points)
        except SpoolFull as full:
            # Backpressure: nothing is acknowledged until the store takes these readings, so the
            # broker holds every later message instead of anything being dropped.
            log.error("%s; waiting for the store before acknowledging more", full)
            try:
                self._durably(lambda: self.store.write(batch.points), "store")
            except StoreRejected as error:
                log.warning("store refused a batch (%s); writing its messages one by one", error)
                self._store_each(batch)
                return
            self.stats.readings_stored += len(batch.points)

    def replay(self) -> None:
        """Move spooled batches into the store, oldest first, until stopped (ingest/replay.py)."""
        assert self.spool is not None
        Replayer(
            spool=self.spool,
            store=self.store,
            quarantine=self.quarantine,
            stats=self.stats,
            stop=self._stop,
            retry_max_s=self.retry_max_s,
            durably=self._durably,
        ).run()

    def _store_each(self, batch: _Batch) -> None:
        for message, (start, end) in zip(batch.messages, batch.spans, strict=True):
            if start == end:
                continue
            points = batch.points[start:end]
            try:
                self._durably(lambda: self.store.write(points), "store")  # noqa: B023 (runs now)
                self.stats.readings_stored += end - start
            except StoreRejected as error:
                batch.rejected.append(_entry(message, "store_rejected", str(error)))

    def _durably(self, action: Callable[[], None], what: str) -> None:
        """Run a write until it succeeds: an unavailable store is waited for, never skipped.

        While this waits nothing is acknowledged, so the broker keeps every message. A stop
        request does not cut this short: what was received must be stored before exiting.
        """
        delay = 0.2
        while True:
            try:
                action()
                return
            except StoreUnavailable as error:
                self.stats.store_retries += 1
                log.warning("%s unavailable, retrying in %.1fs: %s", what, delay, error)
                time.sleep(delay)
                delay = min(delay * 2, self.retry_max_s)


def _entry(message: Message, reason: str, detail: str) -> QuarantineEntry:
    return QuarantineEntry(message.received_ms, reason, detail, message.topic, message.payload)
