"""Response and request bodies of the API's own resources (assets, telemetry, keys, health)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from api.roles import Role


class HealthState(StrEnum):
    """Worst first. Colour on the dashboard always comes with this text."""

    critical = "critical"  # an urgent work order or firing alert of the highest priority
    warning = "warning"  # a firing alert
    watch = "watch"  # score close to its threshold, or an alert pending
    no_data = "no_data"  # no reading for a while
    maintenance = "maintenance"  # silenced for planned work
    ok = "ok"


class AssetSummary(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "asset": "pump-0042",
                    "site": "plant-north",
                    "asset_type": "pump",
                    "state": "warning",
                    "state_reason": "alert firing: mechanical",
                    "last_seen": "2026-11-27T01:02:00Z",
                    "last_metrics": {"vibration_rms": 6.8, "temperature": 61.2},
                    "score": 4.1,
                    "threshold": 3.0,
                    "open_alerts": 1,
                    "open_work_orders": 1,
                }
            ]
        }
    )

    asset: str
    site: str
    asset_type: str
    state: HealthState
    state_reason: str
    last_seen: datetime | None = Field(description="End of the newest minute with a reading")
    last_metrics: dict[str, float] = Field(description="1-minute means of the newest minute")
    score: float | None = None
    threshold: float | None = None
    open_alerts: int = 0
    open_work_orders: int = 0
    online: bool | None = Field(
        default=None,
        description="Gateway presence from the status topic's Last Will or Sparkplug BIRTH/DEATH;"
        " null when the gateway has never reported it",
    )
    online_since: datetime | None = Field(
        default=None, description="When the current presence (online or offline) began"
    )


class AssetPage(BaseModel):
    items: list[AssetSummary]
    total: int = Field(description="Assets matching the filters, before limit/offset")
    counts: dict[HealthState, int] = Field(description="Assets per state, after the filters")


class Series(BaseModel):
    """Columnar series, ready for a chart: ``time`` in epoch milliseconds, one list per field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "asset": "pump-0042",
                    "measurement": "telemetry",
                    "start": "2026-11-26T01:00:00Z",
                    "end": "2026-11-27T01:00:00Z",
                    "every_s": 87,
                    "time": [1795568400000, 1795568487000],
                    "fields": {"vibration_rms": [2.1, 2.2], "temperature": [55.0, None]},
                }
            ]
        }
    )

    asset: str
    measurement: str
    start: datetime
    end: datetime
    every_s: int = Field(description="Width of each averaged bucket, seconds")
    time: list[int]
    fields: dict[str, list[float | None]]


class KeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    customer_id: int | None = None
    engineer_id: int | None = None


class KeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"\S", examples=["ticketing-prod"])
    role: Role
    customer_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Required for, and only for, role customer"
    )
    engineer_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Required for, and only for, role engineer"
    )


class KeyCreated(KeyRead):
    key: str = Field(description="The key itself. Shown only in this response; store it now.")


class Me(BaseModel):
    id: str
    name: str
    role: Role
    customer_id: int | None = None
    engineer_id: int | None = None


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ready": False,
                    "checks": {"broker": "ok", "store": "unreachable: connection refused"},
                }
            ]
        }
    )

    ready: bool
    checks: dict[str, str]
