"""Settings of the gateway side: the MQTT connection, topics, Sparkplug B, ingest limits and
batching, the spool, and when an offline gateway becomes a work order."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

_MQTT_SCHEMES = ("mqtt", "mqtts", "tcp", "ssl")


class GatewaySettings(BaseModel):
    # --- MQTT (gateway side) ---
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    mqtt_protocol: Literal["5", "3.1.1"] = "5"
    mqtt_client_id: str = Field(default_factory=lambda: f"vigil-ingest-{socket.gethostname()}")
    mqtt_session_expiry_s: int = Field(default=7 * 24 * 3600, ge=0)
    mqtt_ca_file: Path | None = None
    topic_template: str = "vigil/{site}/{asset}/telemetry"
    status_topic_template: str = "vigil/{site}/{asset}/status"
    ingest_group: str | None = None

    # Sparkplug B: subscribe to spBv1.0 births, data and deaths and send Rebirth requests. Its
    # sequence numbers need one ordered stream per edge node: with several collectors, leave it
    # on for exactly one (it never uses the shared subscription).
    sparkplug: bool = True
    # TOML file naming the site, asset and asset type of edge nodes and devices (see
    # docs/gateway-contract.md); without it, site = group id and asset = device id.
    sparkplug_mapping_file: Path | None = None
    # Set to act as a Sparkplug B 3.0 primary host application with this id: Vigil then
    # publishes spBv1.0/STATE/<id> (retained, its Last Will offline), which edge nodes configured
    # with a primary host wait for before they publish.
    sparkplug_host_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,128}$")

    # An asset whose gateway is offline (Last Will, Sparkplug NDEATH/DDEATH) this long gets a
    # data-quality work order, closed when it is back; how often presence is checked for it.
    gateway_offline_work_order_after_s: float = Field(default=300.0, ge=0)
    presence_check_s: float = Field(default=2.0, gt=0)

    # --- ingest limits and batching ---
    max_payload_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    max_readings_per_message: int = Field(default=10_000, gt=0)
    max_future_skew_s: float = Field(default=300.0, ge=0)
    ingest_batch_size: int = Field(default=5_000, gt=0)
    ingest_batch_ms: int = Field(default=200, gt=0)
    # `vigil ingest` runs this many collector processes on one shared subscription (the group is
    # VIGIL_INGEST_GROUP, else "vigil"); unset: one per core this process may run on.
    ingest_workers: int | None = Field(default=None, gt=0)
    # Prometheus metrics of `vigil ingest` (summed over its workers); 0: none. Bound to localhost
    # unless VIGIL_INGEST_METRICS_HOST says otherwise (they need no key: keep them off the net).
    ingest_metrics_port: int = Field(default=9110, ge=0, le=65535)
    ingest_metrics_host: str = "127.0.0.1"
    spool_max_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)

    @field_validator("mqtt_url")
    @classmethod
    def _mqtt_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in _MQTT_SCHEMES or not parts.hostname:
            raise ValueError(
                f"expected mqtt://[user:password@]host[:port] or mqtts://... for TLS, got {value!r}"
            )
        return value

    @field_validator("topic_template", "status_topic_template")
    @classmethod
    def _topic_template(cls, value: str) -> str:
        names = re.findall(r"\{(\w+)\}", value)
        if "site" not in names or "asset" not in names:
            raise ValueError(f"must contain {{site}} and {{asset}} segments, got {value!r}")
        for segment in value.split("/"):
            if "{" in segment and not re.fullmatch(r"\{\w+\}", segment):
                raise ValueError(f"a named segment must be a whole topic level, got {segment!r}")
            if segment in ("+", "#"):
                raise ValueError("use named segments like {site}, not MQTT wildcards")
        return value
