"""Wiring the parts into a running service from settings: stores, quarantine, the collector."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from ingest.collector import Collector
from ingest.decode import Limits
from ingest.mqtt import MqttConfig, MqttSubscriber
from ingest.quarantine import Quarantine
from ingest.sparkplug.catalog import CATALOG_FILE, MetricCatalog
from ingest.sparkplug.decoder import SparkplugDecoder
from ingest.sparkplug.mapping import MappingError, load_mapping
from ingest.sparkplug.payload import host_state, rebirth_request
from ingest.sparkplug.topic import command_topic, state_topic
from ingest.sparkplug.topic import subscriptions as sparkplug_subscriptions
from ingest.spool import Spool
from ingest.store import StoreError, TelemetryStore, open_store
from ingest.store.influx_v1 import InfluxV1Store
from ingest.topics import TopicTemplate
from vigil.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def build_store(settings: Settings) -> TelemetryStore:
    return open_store(
        settings.store_kind,
        sqlite_path=settings.data_dir / "telemetry.db",
        url=settings.influx_url,
        database=settings.influx_db,
        username=settings.influx_user,
        password=settings.influx_password,
        token=settings.influx_token,
        org=settings.influx_org,
        bucket=settings.influx_bucket,
        timeout=settings.influx_timeout_s,
    )


def build_quarantine(settings: Settings) -> Quarantine:
    return Quarantine(settings.data_dir / "quarantine.db")


def wait_for_store(
    store: TelemetryStore, stop: threading.Event, *, timeout: float | None = None
) -> bool:
    """Wait until the store answers (creating the InfluxDB database); False if stopped first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = 0.5
    while not stop.is_set():
        try:
            store.ping()
            if isinstance(store, InfluxV1Store):
                store.ensure_database()
            return True
        except StoreError as error:
            if deadline is not None and time.monotonic() > deadline:
                raise
            log.warning("telemetry store not ready, retrying in %.0fs: %s", delay, error)
            stop.wait(delay)
            delay = min(delay * 2, 15.0)
    return False


@dataclass
class IngestService:
    collector: Collector
    subscriber: MqttSubscriber

    def start(self) -> None:
        self.collector.start()
        self.subscriber.start()

    def stop(self) -> None:
        """Stop receiving, then flush and acknowledge what was received, then disconnect."""
        self.collector.stop()
        self.subscriber.stop()


def build_ingest(
    settings: Settings,
    store: TelemetryStore,
    quarantine: Quarantine,
    *,
    client_id: str | None = None,
) -> IngestService:
    telemetry = TopicTemplate(settings.topic_template)
    status = TopicTemplate(settings.status_topic_template)
    subscriber_box: list[MqttSubscriber] = []

    def ack(mid: int, qos: int) -> None:
        subscriber_box[0].ack(mid, qos)

    limits = Limits(
        max_payload_bytes=settings.max_payload_bytes,
        max_readings=settings.max_readings_per_message,
        max_future_skew_ms=int(settings.max_future_skew_s * 1000),
    )
    sparkplug = build_sparkplug(settings, limits, subscriber_box) if settings.sparkplug else None
    collector = Collector(
        store=store,
        quarantine=quarantine,
        telemetry_topics=telemetry,
        status_topics=status,
        ack=ack,
        limits=limits,
        batch_size=settings.ingest_batch_size,
        batch_ms=settings.ingest_batch_ms,
        spool=Spool(
            settings.data_dir / "spool" / (client_id or settings.mqtt_client_id),
            max_bytes=settings.spool_max_bytes,
        ),
        sparkplug=sparkplug,
    )
    subscriptions = subscription_filters(settings, telemetry, status)
    if sparkplug is not None:
        subscriptions += sparkplug_subscriptions()
    subscriber = MqttSubscriber(
        MqttConfig(
            url=settings.mqtt_url,
            client_id=client_id or settings.mqtt_client_id,
            subscriptions=subscriptions,
            protocol=settings.mqtt_protocol,
            session_expiry_s=settings.mqtt_session_expiry_s,
            ca_file=settings.mqtt_ca_file,
            presence=host_state_messages(settings) if sparkplug is not None else None,
        ),
        collector.submit,
    )
    subscriber_box.append(subscriber)
    return IngestService(collector, subscriber)


def host_state_messages(settings: Settings) -> tuple[str, bytes, bytes] | None:
    """Sparkplug B's primary host STATE (topic, online, offline), when a host id is set."""
    if settings.sparkplug_host_id is None:
        return None
    since = int(time.time() * 1000)
    return (
        state_topic(settings.sparkplug_host_id),
        host_state(online=True, timestamp_ms=since),
        host_state(online=False, timestamp_ms=since),
    )


def build_sparkplug(
    settings: Settings, limits: Limits, subscriber_box: list[MqttSubscriber]
) -> SparkplugDecoder:
    """The Sparkplug B host: its Rebirth requests go out through the collector's own session."""
    try:
        mapping = load_mapping(settings.sparkplug_mapping_file)
    except MappingError as error:
        raise SettingsError(f"VIGIL_SPARKPLUG_MAPPING_FILE: {error}") from None
    catalog = MetricCatalog(settings.data_dir / CATALOG_FILE)

    def request_rebirth(group: str, node: str) -> None:
        subscriber_box[0].publish(command_topic(group, node), rebirth_request())

    return SparkplugDecoder(
        mapping=mapping, limits=limits, request_rebirth=request_rebirth, births=catalog
    )


def subscription_filters(
    settings: Settings, telemetry: TopicTemplate, status: TopicTemplate
) -> list[str]:
    """One ``<root>/#`` filter when the templates share a fixed root, else one per template.

    The root wildcard also brings topics that fit no template, which are then quarantined as
    ``topic_mismatch`` instead of being invisible; one filter also avoids the broker sending a
    message twice through overlapping subscriptions.
    """
    group = settings.ingest_group
    root = telemetry.template.split("/", 1)[0]
    if "{" not in root and status.template.split("/", 1)[0] == root:
        filters = [f"{root}/#"]
    else:
        filters = [telemetry.subscription(), status.subscription()]
    return [f"$share/{group}/{f}" if group else f for f in filters]
