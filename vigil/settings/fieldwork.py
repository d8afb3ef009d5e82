"""Settings of the work in the field and after it: dispatch, engineers' uploads, verification of
a repair, follow-up visits and surveys, and preventive plans."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator

from field.visits.s3url import parse_s3_url


class FieldSettings(BaseModel):
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

    @model_validator(mode="after")
    def _settle_within_verification(self) -> Self:
        if self.verification_settle_h >= self.verification_days * 24:
            raise ValueError(
                "VIGIL_VERIFICATION_SETTLE_H must be shorter than VIGIL_VERIFICATION_DAYS "
                f"({self.verification_settle_h} h against {self.verification_days} days)"
            )
        return self
