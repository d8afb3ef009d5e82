"""Building the store's result frames the same way for every adapter."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

BASE_TAGS = ("site", "asset", "asset_type")


def empty_frame(tag_names: Sequence[str] = BASE_TAGS) -> pd.DataFrame:
    frame = pd.DataFrame({"time": pd.Series([], dtype="datetime64[ms, UTC]")})
    for tag in tag_names:
        frame[tag] = pd.Series([], dtype="object")
    return frame


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed time column, float fields, sorted by asset then time, a clean index."""
    if frame.empty:
        return empty_frame([c for c in frame.columns if c != "time"] or BASE_TAGS)
    frame["time"] = pd.to_datetime(frame["time"], unit="ms", utc=True).astype("datetime64[ms, UTC]")
    order = [c for c in ("asset", "time") if c in frame.columns]
    tags = [c for c in BASE_TAGS if c in frame.columns]
    columns = ["time", *tags, *(c for c in frame.columns if c not in ("time", *tags))]
    return frame[columns].sort_values(order, kind="stable").reset_index(drop=True)
