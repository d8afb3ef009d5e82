"""What the API reads from parts wired in by ``vigil`` (kept as protocols so the API does not
depend on how they are built)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

# A readiness probe returns normally when its component is reachable and raises otherwise.
Probe = Callable[[], object]
# Live figures of the collector, e.g. {"readings_per_s": 812.0, "ingest_lag_s": 0.4,
# "spool_bytes": 0}; and of the scoring job, e.g. {"scoring_duration_s": 0.8}.
StatsSource = Callable[[], Mapping[str, float]]


class QuarantinedMessage(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def reason(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def payload_head(self) -> bytes: ...
    @property
    def payload_size(self) -> int: ...


class QuarantineReader(Protocol):
    def list(
        self, *, limit: int = 100, reason: str | None = None, before_id: int | None = None
    ) -> builtins.list[QuarantinedMessage]: ...

    def counts(self) -> dict[str, int]: ...
