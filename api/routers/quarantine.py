"""Messages the collector refused, with why, and counts by reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.deps import CurrentKey
from api.ports import QuarantineReader

router = APIRouter(prefix="/quarantine", tags=["quarantine"])


class QuarantinedRead(BaseModel):
    id: int
    received_at: datetime
    reason: str = Field(examples=["invalid_json"])
    detail: str = Field(examples=["Expecting ',' delimiter: line 1 column 42"])
    topic: str = Field(examples=["vigil/plant-north/pump-0042/telemetry"])
    payload_head: str = Field(description="Start of the payload, undecodable bytes replaced")
    payload_size: int


class QuarantineCounts(BaseModel):
    total: int
    by_reason: dict[str, int] = Field(examples=[{"invalid_json": 3, "timestamp_skew": 1}])


def _reader(request: Request) -> QuarantineReader:
    reader: QuarantineReader | None = request.app.state.quarantine
    if reader is None:
        raise HTTPException(503, detail="quarantine is not available in this process")
    return reader


@router.get("", response_model=list[QuarantinedRead], summary="Newest quarantined messages first")
def list_quarantined(
    request: Request,
    key: CurrentKey,
    reason: Annotated[str | None, Query(max_length=100)] = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="Cursor: ids below this")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[QuarantinedRead]:
    rows = _reader(request).list(limit=limit, reason=reason, before_id=before_id)
    return [
        QuarantinedRead(
            id=row.id,
            received_at=row.received_at,
            reason=row.reason,
            detail=row.detail,
            topic=row.topic,
            payload_head=row.payload_head.decode("utf-8", errors="replace"),
            payload_size=row.payload_size,
        )
        for row in rows
    ]


@router.get("/counts", response_model=QuarantineCounts, summary="Quarantined messages by reason")
def counts(request: Request, key: CurrentKey) -> QuarantineCounts:
    by_reason = _reader(request).counts()
    return QuarantineCounts(total=sum(by_reason.values()), by_reason=by_reason)
