"""The unit of telemetry inside Vigil: a point keyed by measurement, tags and a millisecond timestamp.

A reading from a gateway becomes one point in measurement ``telemetry`` with tags ``site``,
``asset`` and ``asset_type`` and one float field per metric. Scores, written by the scoring job,
are points in measurement ``anomaly_score``. Two points with the same measurement, tags and
timestamp are the same point: writing one again overwrites its fields, never doubles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TELEMETRY = "telemetry"
ANOMALY_SCORE = "anomaly_score"


@dataclass(frozen=True, slots=True)
class Point:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, float]
    ts_ms: int

    @property
    def series_key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.measurement, tuple(sorted(self.tags.items()))


@dataclass(frozen=True, slots=True)
class Reading:
    """One timestamped set of metrics from one asset, as decoded from a gateway message."""

    site: str
    asset: str
    asset_type: str
    ts_ms: int
    metrics: dict[str, float]
    # True when the gateway sent no timestamp and the receive time was used instead.
    ts_from_receipt: bool = field(default=False, compare=False)

    def to_point(self) -> Point:
        return Point(
            measurement=TELEMETRY,
            tags={"site": self.site, "asset": self.asset, "asset_type": self.asset_type},
            fields=self.metrics,
            ts_ms=self.ts_ms,
        )
