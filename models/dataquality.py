"""Data-quality checks: a stuck sensor, missing readings, a silent gateway.

These are not equipment faults. They become decisions with the ``dq_*`` fault codes (alerts open
a lower-priority work order for them), and the windows they flag are never learned as healthy.

>>> import pandas as pd
>>> idx = pd.MultiIndex.from_tuples([("a1", pd.Timestamp("2026-01-01", tz="UTC"))],
...                                 names=["asset", "time"])
>>> features = pd.DataFrame({"temperature:spread": [0.0], "flow:spread": [0.4]}, index=idx)
>>> meta = pd.DataFrame({"n": [60]}, index=idx)
>>> stuck_sensors(features, meta, min_readings=10).tolist()
['temperature']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.features import SEP


def stuck_sensors(features: pd.DataFrame, meta: pd.DataFrame, *, min_readings: int) -> pd.Series:
    """Per window, the metrics whose value did not move at all over ``min_readings`` or more
    readings ("" when none). Real sensors always carry some noise; exactly zero spread is a
    frozen value (a dead transmitter, a gateway repeating its last value)."""
    spread_cols = [c for c in features.columns if c.endswith(f"{SEP}spread")]
    if not spread_cols:
        return pd.Series("", index=features.index)
    spreads = features[spread_cols].to_numpy(dtype=float)
    enough = meta["n"].reindex(features.index).to_numpy(dtype=float) >= min_readings
    frozen = (spreads == 0.0) & enough[:, None]
    names = np.array([c.split(SEP, 1)[0] for c in spread_cols])
    out = [",".join(names[row]) if row.any() else "" for row in frozen]
    return pd.Series(out, index=features.index, dtype=object)


def sparse_windows(counts: pd.Series, typical: pd.Series, *, fraction: float) -> pd.Series:
    """True where a window holds fewer than ``fraction`` of the asset's typical reading count.

    ``counts`` is indexed (asset, time); ``typical`` by asset (unknown assets: never sparse).
    """
    expected = typical.reindex(counts.index.get_level_values("asset")).to_numpy(dtype=float)
    values = counts.to_numpy(dtype=float)
    return pd.Series(np.nan_to_num(expected) * fraction > values, index=counts.index)
