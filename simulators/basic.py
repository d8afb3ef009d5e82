"""The minimal fleet: N seeded assets with healthy, lightly correlated readings.

It feeds the load generator and the ingest tests, so it is cheap per reading and exactly
repeatable: the same arguments give byte-identical messages.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import orjson

DEFAULT_TOPIC_TEMPLATE = "vigil/{site}/{asset}/telemetry"

# Asset types of the minimal fleet, assigned round-robin; the rich fleet has its own models.
_BASIC_TYPES = ("motor", "pump", "chiller", "elevator")


def asset_id(index: int) -> str:
    return f"a{index + 1:04d}"


def site_id(index: int, sites: int) -> str:
    return f"s{index % sites + 1:02d}"


def topic_for(template: str, *, site: str, asset: str) -> str:
    return template.format(site=site, asset=asset)


def _asset_readings(
    rng: random.Random, *, asset_type: str, count: int, start_ms: int, interval_ms: int, first: int
) -> list[dict[str, object]]:
    """Readings ``first .. first+count`` of one asset: load wanders, the rest follows it."""
    readings: list[dict[str, object]] = []
    for i in range(first, first + count):
        ts = start_ms + i * interval_ms
        # A slow daily-ish swing plus noise; the seeded RNG keeps it repeatable.
        load = 60.0 + 25.0 * math.sin(ts / 3_600_000.0) + rng.gauss(0.0, 3.0)
        readings.append(
            {
                "ts": ts,
                "asset_type": asset_type,
                "metrics": {
                    "load": round(load, 2),
                    "vibration_rms": round(1.2 + 0.01 * load + rng.gauss(0.0, 0.08), 3),
                    "temperature": round(35.0 + 0.25 * load + rng.gauss(0.0, 0.3), 2),
                    "current": round(8.0 + 0.2 * load + rng.gauss(0.0, 0.2), 2),
                    "power": round(0.11 * load + rng.gauss(0.0, 0.05), 3),
                },
            }
        )
    return readings


def basic_fleet_messages(
    *,
    assets: int,
    readings_per_asset: int,
    batch: int,
    seed: int,
    start_ms: int,
    interval_ms: int = 1000,
    sites: int = 5,
    topic_template: str = DEFAULT_TOPIC_TEMPLATE,
) -> Iterator[tuple[str, bytes]]:
    """(topic, payload) messages for ``assets`` assets, ``batch`` readings of one asset each.

    Messages interleave assets in time order, as many gateways publishing at once would.
    ``batch == 1`` gives a single reading object, more gives ``{"readings": [...]}``.

    >>> msgs = list(basic_fleet_messages(assets=2, readings_per_asset=3, batch=2, seed=1,
    ...                                  start_ms=0, sites=1))
    >>> for topic, payload in msgs:
    ...     print(topic, len(orjson.loads(payload).get("readings", [None])))
    vigil/s01/a0001/telemetry 2
    vigil/s01/a0002/telemetry 2
    vigil/s01/a0001/telemetry 1
    vigil/s01/a0002/telemetry 1
    """
    if assets < 1 or readings_per_asset < 0 or batch < 1 or sites < 1 or interval_ms < 1:
        raise ValueError("assets, batch, sites and interval_ms must be >= 1, readings >= 0")
    topics = [
        topic_for(topic_template, site=site_id(i, sites), asset=asset_id(i)) for i in range(assets)
    ]
    rngs = [random.Random(f"{seed}:{i}") for i in range(assets)]
    types = [_BASIC_TYPES[i % len(_BASIC_TYPES)] for i in range(assets)]
    for first in range(0, readings_per_asset, batch):
        count = min(batch, readings_per_asset - first)
        for i in range(assets):
            readings = _asset_readings(
                rngs[i],
                asset_type=types[i],
                count=count,
                start_ms=start_ms,
                interval_ms=interval_ms,
                first=first,
            )
            body: object = readings[0] if batch == 1 else {"readings": readings}
            yield topics[i], orjson.dumps(body)
