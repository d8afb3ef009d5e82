"""Data-quality problems that are not equipment faults, applied to generated readings.

A stuck sensor, dropouts, spikes, sensor drift, a gateway offline (readings lost beyond its
buffer, Last Will on the status topic) and a skewed gateway clock. Each is labelled so a
detector that mistakes one for an equipment fault can be counted as a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulators.physics import Array

QUALITY_KINDS = ("stuck", "dropout", "spikes", "drift", "gateway_offline", "clock_skew")
# Kinds that act on one metric; the others act on whole readings.
METRIC_KINDS = frozenset({"stuck", "spikes", "drift"})
DEFAULT_SKEW_S = -(7 * 60 + 13)  # behind, and not a multiple of usual reading intervals
DEFAULT_DRIFT = 0.15  # relative offset reached at the end of a drift episode
# The data-quality code (models.base.FAULT_CODES) each kind should be recognised as.
QUALITY_CODE_OF_KIND = {
    "stuck": "dq_stuck_sensor",
    "dropout": "dq_gap",
    "spikes": "anomaly",
    "drift": "anomaly",
    "gateway_offline": "dq_gateway_offline",
    "clock_skew": "anomaly",
}


@dataclass(frozen=True)
class Episode:
    kind: str
    start_s: float
    end_s: float
    metric: str | None = None
    magnitude: float | None = None


def apply_episodes(
    *,
    episodes: list[Episode],
    t: Array,
    metrics: dict[str, Array],
    keep: np.ndarray[Any, np.dtype[np.bool_]],
    ts_offset: Array,
    rng: np.random.Generator,
    state: dict[str, Any],
    buffer: int,
    dt: float,
) -> None:
    """Change ``metrics`` in place and clear ``keep`` / set ``ts_offset`` for affected readings."""
    for number, ep in enumerate(episodes):
        inside = (t >= ep.start_s) & (t < ep.end_s)
        if not inside.any():
            continue
        if ep.kind == "stuck" and ep.metric is not None:
            key = f"stuck{number}"
            first = int(np.argmax(inside))
            held = state.setdefault(key, float(metrics[ep.metric][first]))
            metrics[ep.metric] = np.where(inside, held, metrics[ep.metric])
        elif ep.kind == "spikes" and ep.metric is not None:
            hit = inside & (rng.random(len(t)) < 0.05)
            factor = rng.uniform(3.0, 8.0, len(t)) * np.where(rng.random(len(t)) < 0.2, -1, 1)
            metrics[ep.metric] = np.where(hit, metrics[ep.metric] * factor, metrics[ep.metric])
        elif ep.kind == "drift" and ep.metric is not None:
            share = np.clip((t - ep.start_s) / max(ep.end_s - ep.start_s, 1.0), 0.0, 1.0)
            magnitude = DEFAULT_DRIFT if ep.magnitude is None else ep.magnitude
            values = metrics[ep.metric]
            metrics[ep.metric] = np.where(inside, values * (1.0 + magnitude * share), values)
        elif ep.kind == "dropout":
            keep &= ~inside
        elif ep.kind == "gateway_offline":
            # The gateway's buffer keeps the newest readings of the outage and sends them late.
            kept_from = ep.end_s - buffer * dt
            keep &= ~(inside & (t < kept_from))
        elif ep.kind == "clock_skew":
            skew = DEFAULT_SKEW_S if ep.magnitude is None else ep.magnitude
            ts_offset += np.where(inside, skew, 0.0)
