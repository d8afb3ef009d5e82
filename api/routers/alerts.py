"""Alerts (list, one with its transitions, acknowledge) and silences (maintenance windows)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, model_validator

from alerts import service
from alerts.models import AlertRead, AlertState, SilenceRead, TransitionRead
from api.deps import CurrentKey, OperatorKey, SessionDep, actor

router = APIRouter(tags=["alerts"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Not found"}}


class AlertDetail(AlertRead):
    transitions: list[TransitionRead]


class SilenceCreate(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "site": "plant-north",
                    "asset": "pump-0042",
                    "duration_minutes": 120,
                    "reason": "bearing replacement, planned",
                }
            ]
        }
    }

    site: str = Field(min_length=1, max_length=200)
    asset: str | None = Field(None, max_length=200, description="Default: the whole site")
    fault_code: str | None = Field(None, max_length=64, description="Default: every fault")
    starts_at: datetime | None = Field(None, description="Default: now")
    ends_at: datetime | None = Field(None, description="Give this or duration_minutes")
    duration_minutes: int | None = Field(None, ge=1, le=60 * 24 * 90)
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_end(self) -> SilenceCreate:
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise ValueError("give exactly one of ends_at and duration_minutes")
        return self


@router.get("/alerts", response_model=list[AlertRead], summary="Alerts, newest first")
def list_alerts(
    session: SessionDep,
    key: CurrentKey,
    state: AlertState | None = None,
    live: Annotated[bool, Query(description="Only pending and firing")] = False,
    site: Annotated[str | None, Query(max_length=200)] = None,
    asset: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[datetime | None, Query(description="Changed at or after")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertRead]:
    rows = service.list_alerts(
        session=session, state=state, live=live, site=site, asset=asset, since=since, limit=limit
    )
    return [AlertRead.model_validate(row) for row in rows]


@router.get(
    "/alerts/{alert_id}",
    response_model=AlertDetail,
    responses=_NOT_FOUND,
    summary="One alert with every transition and its cause",
)
def get_alert(alert_id: uuid.UUID, session: SessionDep, key: CurrentKey) -> AlertDetail:
    return AlertDetail.model_validate(service.get_alert(session=session, alert_id=alert_id))


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertRead,
    responses={**_NOT_FOUND, 422: {"description": "The alert is not live any more"}},
    summary="Acknowledge a pending or firing alert (operator)",
)
def acknowledge(alert_id: uuid.UUID, session: SessionDep, key: OperatorKey) -> AlertRead:
    alert = service.acknowledge(
        session=session, alert_id=alert_id, by=actor(key), now=datetime.now(UTC)
    )
    return AlertRead.model_validate(alert)


@router.get("/silences", response_model=list[SilenceRead], summary="Maintenance windows")
def list_silences(
    session: SessionDep,
    key: CurrentKey,
    active: Annotated[bool, Query(description="Only those in force now")] = False,
) -> list[SilenceRead]:
    rows = service.list_silences(session=session, active_at=datetime.now(UTC) if active else None)
    return [SilenceRead.model_validate(row) for row in rows]


@router.post(
    "/silences",
    response_model=SilenceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Silence a site, an asset or one fault during planned work (operator)",
)
def create_silence(body: SilenceCreate, session: SessionDep, key: OperatorKey) -> SilenceRead:
    now = datetime.now(UTC)
    starts = body.starts_at or now
    ends = body.ends_at or starts + timedelta(minutes=body.duration_minutes or 0)
    silence = service.create_silence(
        session=session,
        site=body.site,
        asset=body.asset,
        fault_code=body.fault_code,
        starts_at=starts,
        ends_at=ends,
        reason=body.reason,
        created_by=actor(key),
        now=now,
    )
    return SilenceRead.model_validate(silence)


@router.delete(
    "/silences/{silence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_NOT_FOUND,
    summary="End a silence now (alerts it silenced keep their record)",
)
def end_silence(silence_id: uuid.UUID, session: SessionDep, key: OperatorKey) -> None:
    service.end_silence(session=session, silence_id=silence_id, now=datetime.now(UTC))
