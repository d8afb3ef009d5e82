"""The unit of telemetry inside Vigil: a point keyed by measurement, tags and a millisecond timestamp.

A reading from a gateway becomes one point in measurement ``telemetry`` with tags ``site``,
``asset`` and ``asset_type`` and one float field per metric. Scores, written by the scoring job,
are points in measurement ``anomaly_score``. Two points with the same measurement, tags and
timestamp are the same point: writing one again overwrites its fields, never doubles it.

Both classes are frozen dataclasses with a hand-written ``__init__`` that stores through the slot
descriptors: the generated frozen ``__init__`` calls ``object.__setattr__`` per field and cost
more than decoding a reading (about 1.4 against 0.8 µs for a Point; the collector builds one per
reading). Frozenness, equality and ``repr`` are the dataclass's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TELEMETRY = "telemetry"
ANOMALY_SCORE = "anomaly_score"


@dataclass(frozen=True, slots=True, init=False)
class Point:
    measurement: str
    tags: dict[str, str]
    fields: dict[str, float]
    ts_ms: int

    def __init__(
        self, measurement: str, tags: dict[str, str], fields: dict[str, float], ts_ms: int
    ) -> None:
        _point_measurement(self, measurement)
        _point_tags(self, tags)
        _point_fields(self, fields)
        _point_ts_ms(self, ts_ms)

    @property
    def series_key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.measurement, tuple(sorted(self.tags.items()))


@dataclass(frozen=True, slots=True, init=False)
class Reading:
    """One timestamped set of metrics from one asset, as decoded from a gateway message."""

    site: str
    asset: str
    asset_type: str
    ts_ms: int
    metrics: dict[str, float]
    # True when the gateway sent no timestamp and the receive time was used instead.
    ts_from_receipt: bool = field(default=False, compare=False)

    def __init__(
        self,
        site: str,
        asset: str,
        asset_type: str,
        ts_ms: int,
        metrics: dict[str, float],
        ts_from_receipt: bool = False,
    ) -> None:
        _reading_site(self, site)
        _reading_asset(self, asset)
        _reading_asset_type(self, asset_type)
        _reading_ts_ms(self, ts_ms)
        _reading_metrics(self, metrics)
        _reading_ts_from_receipt(self, ts_from_receipt)

    def to_point(self) -> Point:
        return Point(
            measurement=TELEMETRY,
            tags={"site": self.site, "asset": self.asset, "asset_type": self.asset_type},
            fields=self.metrics,
            ts_ms=self.ts_ms,
        )


def _slot_setters(cls: type, *names: str) -> tuple[Callable[[object, Any], None], ...]:
    """The slot descriptors' setters: they bypass the frozen __setattr__, as dataclasses' own
    generated __init__ does with object.__setattr__."""
    return tuple(vars(cls)[name].__set__ for name in names)


_point_measurement, _point_tags, _point_fields, _point_ts_ms = _slot_setters(
    Point, "measurement", "tags", "fields", "ts_ms"
)
(
    _reading_site,
    _reading_asset,
    _reading_asset_type,
    _reading_ts_ms,
    _reading_metrics,
    _reading_ts_from_receipt,
) = _slot_setters(Reading, "site", "asset", "asset_type", "ts_ms", "metrics", "ts_from_receipt")
