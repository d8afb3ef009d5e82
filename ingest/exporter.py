"""Prometheus metrics of a collector process (`vigil ingest`), served on a port of its own.

prometheus_client objects are fed from the collector's stats by a small thread (every SYNC_S and
once more at stop); the store's write latency is observed around each write by ``TimedStore``.
Alone, a process serves its own metrics. Started as one of ``vigil ingest --workers N``, it has
``PROMETHEUS_MULTIPROC_DIR`` set: prometheus_client then keeps the values in files there, and the
parent process serves them summed over its workers (``serve_workers``): counters and histograms
add up, gauges add up or take the maximum as their ``multiprocess_mode`` says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from ingest.collector import Collector, CollectorStats
from ingest.points import Point
from ingest.rejections import REASONS
from ingest.store.base import ReadsFrom, TelemetryStore

# How a gauge of several worker processes is combined; "live" ones leave out exited workers.
GaugeMode = Literal["livesum", "livemax", "liveall"]
SYNC_S = 0.5
# InfluxDB answers a batch of thousands of points in milliseconds to a second; beyond 10 s the
# adapter's own timeout has fired.
WRITE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class TimedStore(ReadsFrom):
    """A telemetry store whose writes are timed (successful or not) into a histogram."""

    def __init__(self, store: TelemetryStore, observe: Callable[[float], None]) -> None:
        super().__init__(store)
        self._observe = observe

    def write(self, points: Sequence[Point]) -> None:
        began = time.perf_counter()
        try:
            self.reads.write(points)
        finally:
            self._observe(time.perf_counter() - began)

    def close(self) -> None:
        self.reads.close()


# CollectorStats fields that are running counts, each exported as a counter of the same name.
_COUNTS = ("messages", "readings_stored", "readings_spooled", "readings_replayed", "store_retries")


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry()
        self.registry = registry

        def counter(name: str, text: str, labels: Sequence[str] = ()) -> Counter:
            return Counter(name, text, labels, registry=registry)

        def gauge(name: str, text: str, mode: GaugeMode) -> Gauge:
            return Gauge(name, text, registry=registry, multiprocess_mode=mode)

        self.messages = counter("vigil_ingest_messages", "MQTT messages received")
        self.readings_stored = counter(
            "vigil_ingest_readings_stored", "Readings stored in the telemetry store (live+replay)"
        )
        self.readings_spooled = counter(
            "vigil_ingest_readings_spooled", "Readings written to the disk spool (store down)"
        )
        self.readings_replayed = counter(
            "vigil_ingest_readings_replayed", "Readings moved from the spool into the store"
        )
        self.store_retries = counter(
            "vigil_ingest_store_retries", "Store writes retried because it was unavailable"
        )
        self.quarantined = counter(
            "vigil_ingest_quarantined", "Messages quarantined, by reason", ["reason"]
        )
        for reason in REASONS:
            self.quarantined.labels(reason)
        self.lag = gauge(
            "vigil_ingest_lag_seconds",
            "Receive time minus reading time of the newest stored reading (broker and gateway lag)",
            "livemax",
        )
        self.acks_pending = gauge(
            "vigil_ingest_acks_pending", "Messages received and not yet acknowledged", "livesum"
        )
        self.backlog = gauge(
            "vigil_ingest_backlog_messages", "Messages received and not yet decoded", "livesum"
        )
        self.inflight_bytes = gauge(
            "vigil_ingest_inflight_bytes", "Bytes received and not yet acknowledged", "livesum"
        )
        self.spool_bytes = gauge("vigil_ingest_spool_bytes", "Bytes in the disk spool", "livesum")
        self.spool_segments = gauge(
            "vigil_ingest_spool_segments", "Segment files in the disk spool", "livesum"
        )
        self.spool_oldest = gauge(
            "vigil_ingest_spool_oldest_seconds", "Age of the oldest spooled batch", "livemax"
        )
        self.connected = gauge(
            "vigil_ingest_broker_connected",
            "1 while subscribed to the broker, per process",
            "liveall",
        )
        self.store_write = Histogram(
            "vigil_ingest_store_write_seconds",
            "Duration of one write to the telemetry store (a batch, or one message of it)",
            buckets=WRITE_BUCKETS,
            registry=registry,
        )
        self._seen: dict[str, int] = {}
        self._quarantined_seen: dict[str, int] = {}

    def sync(self, collector: Collector, *, connected: bool) -> None:
        """Advance the counters to the collector's stats and set the gauges."""
        stats: CollectorStats = collector.stats
        for name in _COUNTS:
            now = getattr(stats, name)
            getattr(self, name).inc(now - self._seen.get(name, 0))
            self._seen[name] = now
        for reason, count in list(stats.quarantined.items()):
            child = self.quarantined.labels(reason)
            child.inc(count - self._quarantined_seen.get(reason, 0))
            self._quarantined_seen[reason] = count
        self.lag.set(stats.lag_ms / 1000)
        self.acks_pending.set(collector.acks_pending)
        self.backlog.set(collector.backlog)
        self.inflight_bytes.set(collector.inflight_bytes)
        if collector.spool is not None:
            status = collector.spool.status()
            self.spool_bytes.set(status.bytes)
            self.spool_segments.set(status.segments)
            self.spool_oldest.set(status.oldest_age_s)
        self.connected.set(1.0 if connected else 0.0)

    def start_sync(self, collector: Collector, connected: Callable[[], bool]) -> Callable[[], None]:
        """Sync every SYNC_S in a thread; returns the function that stops it after a last sync."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(SYNC_S):
                self.sync(collector, connected=connected())

        thread = threading.Thread(target=loop, name="metrics-sync", daemon=True)
        thread.start()

        def finish() -> None:
            stop.set()
            thread.join(5)
            self.sync(collector, connected=False)

        return finish


def serve(registry: CollectorRegistry, *, host: str, port: int) -> WSGIServer:
    """Serve ``/metrics`` (any path, as prometheus_client does) in a daemon thread."""
    server, _ = start_http_server(port, addr=host, registry=registry)
    return server


def serve_workers(directory: Path, *, host: str, port: int) -> WSGIServer:
    """Serve the metrics the worker processes keep in ``directory``, summed over workers."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]  # untyped upstream
    return serve(registry, host=host, port=port)
