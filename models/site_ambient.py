"""The site's ambient temperature for assets that report none of their own.

A pump's bearing runs hotter on a warm day because its machine room does; if the pump reports no
ambient temperature, the operating context has nothing to explain the weather with, and a week
of warm weather reads as a bearing heating up. The other assets of the same site often do report
one (a chiller's outdoor sensor, a compressor's intake air). So, per site and window, the median
of those assets' own ambient levels becomes the ambient condition of every asset of the site
that has none in that window: its ``ambient_temperature`` level, a condition of the operating
context (``models.context``), whose regression learns how much of the site's swing reaches each
type's machine room (a room follows the outdoors only partly). Its spread stays NaN: not 0,
which the data-quality check reads as a frozen sensor (``models.dataquality.stuck_sensors``).

No rise over it (``<metric>_rise``, which an asset's own ambient sensor gives): the air around
the machine is not the site's outdoor air. A pump room that follows the outdoors by a third
makes "bearing minus outdoor" move with two thirds of the weather, and a site whose source is a
compressor's room air (coupled by a half) moves it by other amounts again, so the pooled
regression of a type can fit no one coefficient for it; measured on the simulator's tuning seeds
7 and 8 (before each type was trained on its own metrics), the rise over the site's ambient gave 1.11 and 0.36 false work orders per 100
asset-days, the ambient level alone 0.48 and 0.43 (bench/README.md).

The site is the telemetry's ``site`` tag (the site code of the asset registry,
``customers.models.Asset.site``). A site without any source in a window leaves its assets'
windows as they are (no ambient: the behaviour before this module).

>>> t = pd.DatetimeIndex(["2026-01-01T00:00Z"] * 3)
>>> idx = pd.MultiIndex.from_arrays([["c1", "c2", "p1"], t], names=["asset", "time"])
>>> f = pd.DataFrame({"ambient_temperature:level": [10.0, 12.0, np.nan],
...                   "bearing_temperature:level": [np.nan, np.nan, 45.0]}, index=idx)
>>> meta = pd.DataFrame({"site": ["s", "s", "s"], "asset_type": ["chiller"] * 2 + ["pump"]},
...                     index=idx)
>>> filled, report = fill_site_ambient(f, meta, site_ambient([f], [meta]))
>>> filled["ambient_temperature:level"].tolist()  # the chillers' own, the pump the median
[10.0, 12.0, 11.0]
>>> report
{'windows_filled': 1, 'windows_without_source': 0, 'sites_without_source': []}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from models.features import AMBIENT, SEP

LEVEL = f"{AMBIENT}{SEP}level"


def site_ambient(features: Sequence[pd.DataFrame], meta: Sequence[pd.DataFrame]) -> pd.Series:
    """Per (site, time): the median of the own ambient levels of the site's assets that report
    one in that window. ``features`` and ``meta``: window features and their meta
    (``models.features.FeatureWindows``), one pair per asset type or all in one."""
    parts = []
    for f, m in zip(features, meta, strict=True):
        if LEVEL not in f:
            continue
        own = f[LEVEL].to_numpy(dtype=float)
        ok = np.isfinite(own)
        if ok.any():
            parts.append(
                pd.DataFrame(
                    {
                        "site": m["site"].to_numpy()[ok],
                        "time": f.index.get_level_values("time")[ok],
                        "ambient": own[ok],
                    }
                )
            )
    if not parts:
        empty = pd.MultiIndex.from_arrays(
            [pd.Index([], dtype=object), pd.DatetimeIndex([], tz="UTC")], names=["site", "time"]
        )
        return pd.Series([], index=empty, dtype=float, name="ambient")
    rows = pd.concat(parts, ignore_index=True)
    result: pd.Series = rows.groupby(["site", "time"], sort=True)["ambient"].median()
    return result


def fill_site_ambient(
    features: pd.DataFrame, meta: pd.DataFrame, ambient: pd.Series
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``features`` with the site's ambient (``site_ambient``) in every window that has no
    ambient level of its own; and a report: windows filled, windows left without (their site
    had no source then), sites never filled."""
    n = len(features)
    own = features[LEVEL].to_numpy(dtype=float) if LEVEL in features else np.full(n, np.nan)
    need = ~np.isfinite(own)
    sites = meta["site"].reindex(features.index).to_numpy()
    key = pd.MultiIndex.from_arrays(
        [sites, features.index.get_level_values("time")], names=["site", "time"]
    )
    value = ambient.reindex(key).to_numpy(dtype=float) if len(ambient) else np.full(n, np.nan)
    fill = need & np.isfinite(value)
    without = need & ~fill
    report = {
        "windows_filled": int(fill.sum()),
        "windows_without_source": int(without.sum()),
        "sites_without_source": sorted(
            {str(s) for s in sites[need]} - {str(s) for s in sites[fill]}
        ),
    }
    if not fill.any():
        return features, report
    out = features.copy()
    out[LEVEL] = np.where(fill, value, own)
    return out, report
