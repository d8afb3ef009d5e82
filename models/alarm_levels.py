"""Alarm levels raised by false alarms: what engineers reported back becomes a higher threshold.

A ``false_alarm`` outcome says the windows that opened the work order were healthy. At the next
training the model's threshold for that asset and fault code is raised just above what those
windows scored (relative to the type's threshold); when the assets of one type that agree on a
fault code are several, the whole type's level for that code rises to the lowest of theirs (a
level every one of them needed, so no asset is made blinder than its own reports asked).

Levels are factors on both thresholds (detector and trend): a window is over when its larger
score-to-threshold ratio exceeds the factor of its asset and of the fault code its contributions
suggest.

>>> levels = AlarmLevels(by_asset={"p1": {"thermal": 1.8}}, by_type={"thermal": 1.3})
>>> levels.factor("p1", "thermal"), levels.factor("p2", "thermal"), levels.factor("p2", "process")
(1.8, 1.3, 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Headroom above the highest ratio a reported false alarm reached: the same situation must stay
# quiet when it comes back with a little more noise.
HEADROOM = 1.1
# No report raises a level more than this: a false alarm must never blind an asset to a fault
# several times stronger than the situation that was reported.
MAX_FACTOR = 4.0


@dataclass
class AlarmLevels:
    by_asset: dict[str, dict[str, float]] = field(default_factory=dict)
    by_type: dict[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_asset or self.by_type)

    def factor(self, asset: str, code: str) -> float:
        own = self.by_asset.get(asset, {}).get(code, 1.0)
        return max(own, self.by_type.get(code, 1.0))

    def factors(self, assets: Iterable[str], codes: Iterable[str]) -> np.ndarray:
        return np.array([self.factor(a, c) for a, c in zip(assets, codes, strict=True)])

    def to_dict(self) -> dict[str, Any]:
        return {"by_asset": self.by_asset, "by_type": self.by_type}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> AlarmLevels:
        data = data or {}
        return cls(
            by_asset={
                str(a): {str(c): float(f) for c, f in codes.items()}
                for a, codes in (data.get("by_asset") or {}).items()
            },
            by_type={str(c): float(f) for c, f in (data.get("by_type") or {}).items()},
        )

    @classmethod
    def from_reports(cls, reports: dict[str, dict[str, float]]) -> AlarmLevels:
        """Levels from the ratios reached by reported false alarms (asset -> code -> highest
        ratio): each asset's own level, and a type level for codes two assets or more agree on."""
        by_asset = {
            asset: {code: min(ratio * HEADROOM, MAX_FACTOR) for code, ratio in codes.items()}
            for asset, codes in reports.items()
            if codes
        }
        agreeing: dict[str, list[float]] = {}
        for codes in by_asset.values():
            for code, factor in codes.items():
                agreeing.setdefault(code, []).append(factor)
        by_type = {code: min(fs) for code, fs in agreeing.items() if len(fs) >= 2}
        return cls(by_asset=by_asset, by_type=by_type)
