"""Small scenario builders for the simulator tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

from simulators import asset_frame, streams
from simulators.scenario import Scenario, parse_scenario
from simulators.timeutil import parse_duration

START_S = 1_790_812_800.0  # 2026-10-01T00:00:00Z, a Thursday


def one_asset(
    asset_type: str,
    *,
    duration: str = "4d",
    interval: str = "60s",
    faults: list[dict[str, Any]] | None = None,
    quality: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Scenario:
    """A scenario with one asset ``x`` of ``asset_type`` on site ``s``."""
    raw: dict[str, Any] = {
        "duration": duration,
        "reading_interval": interval,
        "sites": [{"id": "s"}],
        "assets": [{"id": "x", "site": "s", "type": asset_type}],
        "faults": [{"asset": "x", **f} for f in faults or []],
        "data_quality": [{"asset": "x", **q} for q in quality or []],
        **extra,
    }
    return parse_scenario(raw, name="test")


def frame(scenario: Scenario, *, seed: int = 5, published: bool = True) -> pd.DataFrame:
    (stream,) = streams(scenario, seed=seed, start_s=START_S)
    return asset_frame(stream, published=published)


def twins(
    asset_type: str, fault: dict[str, Any], **kwargs: Any
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same asset with the same noise, healthy and with ``fault``: differences are the fault."""
    healthy = frame(one_asset(asset_type, **kwargs))
    faulty = frame(one_asset(asset_type, faults=[fault], **kwargs))
    return healthy, faulty


def at(offset: str) -> pd.Timestamp:
    return pd.Timestamp(START_S, unit="s", tz="UTC") + pd.Timedelta(seconds=parse_duration(offset))
