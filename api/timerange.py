"""Parsing and checking of the time ranges that chart queries take."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import HTTPException

MAX_RANGE = timedelta(days=400)
DEFAULT_RANGE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: datetime
    end: datetime

    def step_for(self, max_points: int) -> timedelta:
        """The smallest whole-second bucket that keeps the series within ``max_points``."""
        seconds = (self.end - self.start).total_seconds()
        # One bucket spare: buckets align to the epoch, so a range may straddle one more.
        return timedelta(seconds=max(1, math.ceil(seconds / max(1, max_points - 1))))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve(start: datetime | None, end: datetime | None) -> TimeRange:
    try:
        end_utc = _utc(end) if end is not None else datetime.now(UTC)
        start_utc = _utc(start) if start is not None else end_utc - DEFAULT_RANGE
    except OverflowError:
        raise HTTPException(422, detail="start or end is out of the supported range") from None
    if start_utc >= end_utc:
        raise HTTPException(422, detail="start must be before end")
    if end_utc - start_utc > MAX_RANGE:
        raise HTTPException(422, detail=f"a range may span at most {MAX_RANGE.days} days")
    return TimeRange(start=start_utc, end=end_utc)
