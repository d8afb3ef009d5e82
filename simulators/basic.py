"""The minimal fleet: N seeded assets with healthy, lightly correlated readings.

It feeds the load generator and the ingest tests, so it is cheap per reading and exactly
repeatable: the same arguments give byte-identical messages.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
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


_NAMES = ("load", "vibration_rms", "temperature", "current", "power")
_DECIMALS = (2, 3, 2, 2, 3)


def _round_of_readings(
    rng: np.random.Generator,
    *,
    assets: int,
    count: int,
    start_ms: int,
    interval_ms: int,
    first: int,
) -> tuple[list[int], list[list[tuple[float, ...]]]]:
    """Readings ``first .. first+count`` of every asset: load wanders, the rest follows it.

    One numpy pass for the whole round keeps the cost per reading to building its dict.
    """
    ts = start_ms + interval_ms * np.arange(first, first + count, dtype=np.int64)
    noise = rng.standard_normal((5, assets, count))
    # A slow swing plus noise, per asset phase-shifted so assets differ.
    phase = np.arange(assets, dtype=float)[:, None]
    load = 60.0 + 25.0 * np.sin(ts[None, :] / 3_600_000.0 + phase) + 3.0 * noise[0]
    columns = (
        load,
        1.2 + 0.01 * load + 0.08 * noise[1],
        35.0 + 0.25 * load + 0.3 * noise[2],
        8.0 + 0.2 * load + 0.2 * noise[3],
        0.11 * load + 0.05 * noise[4],
    )
    rounded = [np.round(c, d).tolist() for c, d in zip(columns, _DECIMALS, strict=True)]
    rows = [list(zip(*(c[a] for c in rounded), strict=True)) for a in range(assets)]
    return ts.tolist(), rows


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
    rng = np.random.default_rng([seed, assets, sites])
    types = [_BASIC_TYPES[i % len(_BASIC_TYPES)] for i in range(assets)]
    # Whole batches for all assets, about 2,000 readings per numpy pass.
    span = batch * max(1, 2048 // (assets * batch))
    for first in range(0, readings_per_asset, span):
        count = min(span, readings_per_asset - first)
        stamps, rows = _round_of_readings(
            rng,
            assets=assets,
            count=count,
            start_ms=start_ms,
            interval_ms=interval_ms,
            first=first,
        )
        for at in range(0, count, batch):
            for i in range(assets):
                kind = types[i]
                readings = [
                    {"ts": ts, "asset_type": kind, "metrics": dict(zip(_NAMES, row, strict=True))}
                    for ts, row in zip(
                        stamps[at : at + batch], rows[i][at : at + batch], strict=True
                    )
                ]
                body: object = readings[0] if batch == 1 else {"readings": readings}
                yield topics[i], orjson.dumps(body)
