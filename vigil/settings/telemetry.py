"""Settings of the telemetry store (SQLite, InfluxDB 1.x or 2.x) and of the scorer that reads it."""

from __future__ import annotations

import re
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator


class TelemetrySettings(BaseModel):
    # --- telemetry store ---
    store: Literal["auto", "sqlite", "influxdb", "influxdb2"] = "auto"
    influx_url: str | None = None
    influx_db: str = "vigil"
    influx_user: str | None = None
    influx_password: str | None = None
    influx_token: str | None = None
    influx_org: str | None = None
    influx_bucket: str | None = None
    influx_timeout_s: float = Field(default=10.0, gt=0)

    # --- scoring ---
    scoring_interval_s: float = Field(default=10.0, gt=0)
    # The scorer reads up to now minus this, so readings still on their way (gateway batching,
    # broker queues, the collector's batch) are in the store before their window is scored.
    scoring_lateness_s: float = Field(default=30.0, ge=0)
    scoring_shard: str = "0/1"

    @field_validator("influx_url")
    @classmethod
    def _influx_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"expected http://host:8086 or https://..., got {value!r}")
        return value

    @field_validator("scoring_shard")
    @classmethod
    def _shard(cls, value: str) -> str:
        match = re.fullmatch(r"(\d+)/(\d+)", value)
        if not match or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f"expected i/n with 0 <= i < n, e.g. 0/2, got {value!r}")
        return value

    @model_validator(mode="after")
    def _store_is_configured(self) -> Self:
        if self.store in ("influxdb", "influxdb2") and not self.influx_url:
            raise ValueError(f"VIGIL_STORE={self.store} needs VIGIL_INFLUX_URL")
        if self.store == "influxdb2" and not (
            self.influx_token and self.influx_org and self.influx_bucket
        ):
            raise ValueError(
                "VIGIL_STORE=influxdb2 needs VIGIL_INFLUX_TOKEN, VIGIL_INFLUX_ORG, VIGIL_INFLUX_BUCKET"
            )
        return self

    @property
    def store_kind(self) -> Literal["sqlite", "influxdb", "influxdb2"]:
        if self.store != "auto":
            return self.store
        return "influxdb" if self.influx_url else "sqlite"
