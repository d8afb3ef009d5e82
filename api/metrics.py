"""Prometheus metrics: HTTP request timings, plus figures read from the running parts at scrape
time (collector stats, quarantine counts, alert states, webhook failures)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from api.ports import QuarantineReader, StatsSource

# Names the collector and scorer stats map to, with their help text.
_STATS = {
    "readings_per_s": ("vigil_ingest_readings_per_second", "Readings stored per second (recent)"),
    "ingest_lag_s": ("vigil_ingest_lag_seconds", "Age of the newest stored reading at receipt"),
    "spool_bytes": ("vigil_spool_bytes", "Bytes waiting in the disk spool for the store"),
    "spool_messages": ("vigil_spool_messages", "Messages waiting in the disk spool"),
    "scoring_duration_s": ("vigil_scoring_duration_seconds", "Duration of the last scoring cycle"),
    "scored_assets": ("vigil_scored_assets", "Assets scored in the last cycle"),
}

CountsSource = Callable[[], Mapping[str, int]]


class _SourcesCollector(Collector):
    def __init__(
        self,
        *,
        stats: list[StatsSource],
        quarantine: QuarantineReader | None,
        alert_states: CountsSource | None,
        webhook_failures: CountsSource | None,
    ) -> None:
        self._stats = stats
        self._quarantine = quarantine
        self._alert_states = alert_states
        self._webhook_failures = webhook_failures

    def collect(self) -> Iterator[Metric]:
        for source in self._stats:
            for key, value in source().items():
                if key.endswith("_total"):  # a running count, e.g. readings_stored_total
                    name = f"vigil_{key.removesuffix('_total')}"
                    yield CounterMetricFamily(name, key.replace("_", " "), value=float(value))
                    continue
                name, help_text = _STATS.get(key, (f"vigil_{key}", key.replace("_", " ")))
                yield GaugeMetricFamily(name, help_text, value=float(value))
        if self._quarantine is not None:
            yield _labelled(
                "vigil_quarantined_messages",
                "Messages in quarantine by reason",
                "reason",
                self._quarantine.counts(),
            )
        if self._alert_states is not None:
            yield _labelled("vigil_alerts", "Alerts by state", "state", self._alert_states())
        if self._webhook_failures is not None:
            yield _labelled(
                "vigil_webhook_deliveries_failing",
                "Webhook deliveries not yet delivered, by state (retrying, dead)",
                "state",
                self._webhook_failures(),
            )


def _labelled(name: str, help_text: str, label: str, values: Mapping[str, int]) -> Metric:
    metric = GaugeMetricFamily(name, help_text, labels=[label])
    for key, value in sorted(values.items()):
        metric.add_metric([key], float(value))
    return metric


class ApiMetrics:
    """One registry per app, so several apps (tests) never clash on names."""

    def __init__(
        self,
        *,
        stats: list[StatsSource],
        quarantine: QuarantineReader | None = None,
        alert_states: CountsSource | None = None,
        webhook_failures: CountsSource | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "vigil_http_request_duration_seconds",
            "API request duration by route template",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.registry.register(
            _SourcesCollector(
                stats=stats,
                quarantine=quarantine,
                alert_states=alert_states,
                webhook_failures=webhook_failures,
            )
        )
