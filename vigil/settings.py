"""Vigil's settings: environment variables prefixed ``VIGIL_``, optionally a TOML file.

Nothing here runs at import time; ``get_settings()`` builds and caches the one instance.
"""

from __future__ import annotations

import re
import socket
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from field.visits.s3url import parse_s3_url
from notify.mail import parse_smtp_url
from reports.scorecards.weights import DEFAULT_WEIGHTS, BadWeights, Weights
from reports.value.rfm import BadBands, RfmRules

_MQTT_SCHEMES = ("mqtt", "mqtts", "tcp", "ssl")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="forbid", validate_default=True)

    # Set by `vigil demo` only: allows the embedded defaults and demo keys that production refuses.
    demo: bool = False
    data_dir: Path = Path("var")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

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

    # --- work-order database ---
    database_url: str | None = None

    # --- scoring ---
    scoring_interval_s: float = Field(default=10.0, gt=0)
    # The scorer reads up to now minus this, so readings still on their way (gateway batching,
    # broker queues, the collector's batch) are in the store before their window is scored.
    scoring_lateness_s: float = Field(default=30.0, ge=0)
    scoring_shard: str = "0/1"

    # --- API and webhooks ---
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)  # 0: any free port
    session_secret: str | None = None
    webhook_max_age_s: float = Field(default=24 * 3600.0, gt=0)
    # How often the outbox is checked for work-order events to deliver.
    webhook_poll_s: float = Field(default=1.0, gt=0)

    # --- dispatch ---
    # Until SLA plans carry the rule: urgent work is sent to the nearest qualified engineer
    # within this many minutes of its creation (0: dispatch by hand only).
    auto_dispatch_urgent_min: int = Field(default=30, ge=0, le=24 * 60)
    # How often waiting work is checked for automatic dispatch.
    auto_dispatch_poll_s: float = Field(default=30.0, gt=0)
    # Straight-line travel time at this average speed ranks engineers by distance.
    travel_speed_kmh: float = Field(default=50.0, gt=0)
    # After a resolution Vigil watches the asset this long before closing the work order as
    # verified (or reopening it as a repeat repair); scores of the first settle hours, while the
    # detectors still remember the fault, are not held against the repair.
    verification_days: float = Field(default=7.0, gt=0, le=365)
    verification_settle_h: float = Field(default=24.0, ge=0)

    # --- Engineers' visits: photos and signatures (field/visits) ---
    # Where uploads are kept (default: <data_dir>/uploads) and the largest file accepted.
    upload_dir: Path | None = None
    upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    # s3://bucket/prefix keeps them in an S3-compatible store instead (credentials from the
    # standard AWS environment/config); the endpoint for MinIO, Ceph, ... and an optional region.
    upload_store: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    # --- Follow-up visits and surveys (followup/surveys) ---
    # Who calls a customer whose survey scored 3, and the name on the review of one below 3
    # (its escalation mail goes to service_manager_emails).
    survey_follow_up_person: str = Field(default="customer care", min_length=1, max_length=200)
    service_manager: str = Field(default="service manager", min_length=1, max_length=200)
    # How often follow-up tasks are generated and reminders stamped.
    follow_up_poll_s: float = Field(default=900.0, gt=0)
    # How often preventive plans read the counters and conditions and open what falls due.
    plans_poll_s: float = Field(default=300.0, gt=0)

    # --- Engineer scorecards and customer value (docs/reports.md) ---
    # Percent per part, summing to 100. JSON: {"first_time_fix": 30, "response": 25, ...}.
    scorecard_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # RFM: the months looked back over, and the 4 cut points of each score (for scores 2 to 5).
    rfm_window_months: int = Field(default=24, ge=1, le=120)
    rfm_recency_days: list[int] = Field(default_factory=lambda: [90, 180, 365, 730])
    rfm_frequency_bands: list[int] = Field(default_factory=lambda: [1, 3, 6, 12])
    rfm_monetary_bands: list[Decimal] = Field(
        default_factory=lambda: [Decimal(n) for n in (5_000, 20_000, 50_000, 100_000)]
    )

    # --- Request Tracker connector (subscriptions with connector "rt"; their URL is RT's) ---
    rt_user: str | None = None
    rt_password: str | None = None
    # An RT auth token (RT 5: Settings > Auth Tokens); used instead of user and password.
    rt_token: str | None = None
    # The queue rule: this work-order field's value looked up in rt_queues, else rt_default_queue.
    rt_queue_by: Literal["site", "customer", "priority"] = "site"
    rt_queues: dict[str, str] = Field(default_factory=dict)  # JSON: {"plant-north": "North"}
    rt_default_queue: str = "General"
    # How often RT's status changes are read back.
    rt_poll_s: float = Field(default=30.0, gt=0)

    # --- SLA escalation and e-mail ---
    # smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://...; unset: mails are
    # written as .eml files under <data dir>/mail.
    smtp_url: str | None = None
    mail_from: str = "vigil@localhost"
    # Who hears of escalations, comma-separated addresses (the plan names the roles per level).
    dispatcher_emails: str = ""
    service_manager_emails: str = ""
    # Assignees by name: "ana=ana@example.com,bo=bo@example.com" (an assignee that is an address
    # needs no entry).
    staff_emails: str = ""
    # How often due escalations, scheduled resumes and waiting mails are looked at.
    escalation_poll_s: float = Field(default=30.0, gt=0)
    # How often the customer's notices of work-order steps (received, engineer on the way, done,
    # survey) are sent.
    notice_poll_s: float = Field(default=10.0, gt=0)

    # --- Reports (reports/document) ---
    # The month's report is made from this hour (UTC) on the 1st and mailed to
    # service_manager_emails, once; a service started later in the month makes it at its start.
    monthly_report: bool = True
    monthly_report_hour: int = Field(default=6, ge=0, le=23)
    # How often the scheduler looks whether a report is due or waits to be mailed.
    report_poll_s: float = Field(default=300.0, gt=0)
    report_currency: str = Field(default="EUR", min_length=1, max_length=8)
    # What predictive maintenance saves: an unannounced failure costs this, the planned repair a
    # prediction allows costs this, and a false alarm's visit this.
    unplanned_failure_cost: float = Field(default=12_000.0, ge=0)
    planned_repair_cost: float = Field(default=3_000.0, ge=0)
    false_alarm_visit_cost: float = Field(default=400.0, ge=0)
    # Per asset type where one differs, JSON: {"elevator": [25000, 4000, 600]} (unplanned,
    # planned, false-alarm visit).
    report_costs_by_asset_type: dict[str, tuple[float, float, float]] = Field(default_factory=dict)
    # KPI key -> target, JSON: {"first_time_fix": 0.9, "response_median_h": 1.5}; a KPI without
    # one is held to its "excellent" band (docs/reports.md). Keys are checked by
    # vigil.reporting when a report is made or `vigil serve` starts (not here: the settings are
    # loaded by `vigil ingest` too, which should not import the KPI module).
    report_targets: dict[str, float] = Field(default_factory=dict)

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Child processes (the demo's broker) run in other working directories: a relative
        # data dir would point somewhere else for them.
        return value.expanduser().resolve()

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

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value:
            parse_smtp_url(value)
        return value or None

    @field_validator("dispatcher_emails", "service_manager_emails")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for address in split_addresses(value):
            if "@" not in address:
                raise ValueError(f"{address!r} is not an e-mail address (comma-separated list)")
        return value

    @field_validator("staff_emails")
    @classmethod
    def _staff(cls, value: str) -> str:
        staff_addresses(value)
        return value

    @field_validator("influx_url")
    @classmethod
    def _influx_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"expected http://host:8086 or https://..., got {value!r}")
        return value

    @field_validator("upload_store")
    @classmethod
    def _upload_store(cls, value: str | None) -> str | None:
        if value:
            parse_s3_url(value)
        return value or None

    @field_validator("s3_endpoint_url")
    @classmethod
    def _s3_endpoint(cls, value: str | None) -> str | None:
        if value and (
            urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname
        ):
            raise ValueError(
                f"expected http(s)://host[:port] (e.g. http://minio:9000), got {value!r}"
            )
        return value or None

    @field_validator("session_secret")
    @classmethod
    def _session_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("must be at least 32 characters of random data")
        return value

    @field_validator("scoring_shard")
    @classmethod
    def _shard(cls, value: str) -> str:
        match = re.fullmatch(r"(\d+)/(\d+)", value)
        if not match or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f"expected i/n with 0 <= i < n, e.g. 0/2, got {value!r}")
        return value

    @model_validator(mode="after")
    def _store_is_configured(self) -> Settings:
        if self.store in ("influxdb", "influxdb2") and not self.influx_url:
            raise ValueError(f"VIGIL_STORE={self.store} needs VIGIL_INFLUX_URL")
        if self.store == "influxdb2" and not (
            self.influx_token and self.influx_org and self.influx_bucket
        ):
            raise ValueError(
                "VIGIL_STORE=influxdb2 needs VIGIL_INFLUX_TOKEN, VIGIL_INFLUX_ORG, VIGIL_INFLUX_BUCKET"
            )
        return self

    @model_validator(mode="after")
    def _rt_credentials(self) -> Settings:
        if self.rt_user is not None and self.rt_password is None:
            raise ValueError("VIGIL_RT_USER needs VIGIL_RT_PASSWORD (or use VIGIL_RT_TOKEN)")
        return self

    @model_validator(mode="after")
    def _settle_within_verification(self) -> Settings:
        if self.verification_settle_h >= self.verification_days * 24:
            raise ValueError(
                "VIGIL_VERIFICATION_SETTLE_H must be shorter than VIGIL_VERIFICATION_DAYS "
                f"({self.verification_settle_h} h against {self.verification_days} days)"
            )
        return self

    @model_validator(mode="after")
    def _value_rules(self) -> Settings:
        # Built here so that bad weights or bands stop the start, not the 1st of the month.
        try:
            Weights.of(self.scorecard_weights)
        except BadWeights as error:
            raise ValueError(f"VIGIL_SCORECARD_WEIGHTS: {error}") from None
        try:
            RfmRules(
                window_months=self.rfm_window_months,
                recency_days=tuple(self.rfm_recency_days),
                frequency_bands=tuple(self.rfm_frequency_bands),
                monetary_bands=tuple(self.rfm_monetary_bands),
            )
        except BadBands as error:
            raise ValueError(f"VIGIL_RFM_*: {error}") from None
        return self

    @property
    def rfm_rules(self) -> RfmRules:
        return RfmRules(
            window_months=self.rfm_window_months,
            recency_days=tuple(self.rfm_recency_days),
            frequency_bands=tuple(self.rfm_frequency_bands),
            monetary_bands=tuple(self.rfm_monetary_bands),
        )

    @property
    def weights(self) -> Weights:
        return Weights.of(self.scorecard_weights)

    @property
    def rt_configured(self) -> bool:
        return self.rt_token is not None or self.rt_user is not None

    @property
    def store_kind(self) -> Literal["sqlite", "influxdb", "influxdb2"]:
        if self.store != "auto":
            return self.store
        return "influxdb" if self.influx_url else "sqlite"

    @property
    def escalation_addresses(self) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
        """(dispatchers, service managers, staff name -> address)."""
        return (
            split_addresses(self.dispatcher_emails),
            split_addresses(self.service_manager_emails),
            staff_addresses(self.staff_emails),
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vigil.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if _config_file is not None:
            # The environment wins over the file, so one file can serve several replicas.
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=_config_file))
        return tuple(sources)


_config_file: Path | None = None


def split_addresses(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def staff_addresses(value: str) -> dict[str, str]:
    """
    >>> staff_addresses("ana=ana@acme.test, bo = bo@acme.test")
    {'ana': 'ana@acme.test', 'bo': 'bo@acme.test'}
    """
    out: dict[str, str] = {}
    for part in split_addresses(value):
        name, sep, address = part.partition("=")
        if not sep or not name.strip() or "@" not in address:
            raise ValueError(f"expected name=address pairs separated by commas, got {part!r}")
        out[name.strip()] = address.strip()
    return out


class SettingsError(Exception):
    """A setting has a wrong value; the message names it and says what is expected."""


def describe_validation_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "settings"
        env = f"VIGIL_{name.upper()}" if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{env}: {message}")
    return "invalid settings:\n  " + "\n  ".join(lines)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (and a TOML file), raising SettingsError when wrong."""
    global _config_file
    if config_file is not None and not config_file.is_file():
        raise SettingsError(f"--config: no such file {config_file}")
    _config_file = config_file
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    finally:
        _config_file = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
