"""The scorecard's parts and their weights (percentages that must sum to 100).

>>> Weights.of({"first_time_fix": 30, "response": 25, "satisfaction": 25, "on_time": 15,
...             "knowledge": 5}).first_time_fix
30.0
>>> Weights.of({"first_time_fix": 50, "response": 50, "satisfaction": 25, "on_time": 0,
...             "knowledge": 0})
Traceback (most recent call last):
...
reports.scorecards.weights.BadWeights: scorecard weights must sum to 100 %, these sum to 125 % (first_time_fix 50, response 50, satisfaction 25, on_time 0, knowledge 0)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields


class Part(enum.StrEnum):
    FIRST_TIME_FIX = "first_time_fix"
    RESPONSE = "response"
    SATISFACTION = "satisfaction"
    ON_TIME = "on_time"
    KNOWLEDGE = "knowledge"


DEFAULT_WEIGHTS: dict[str, float] = {
    Part.FIRST_TIME_FIX: 30.0,
    Part.RESPONSE: 25.0,
    Part.SATISFACTION: 25.0,
    Part.ON_TIME: 15.0,
    Part.KNOWLEDGE: 5.0,
}


class BadWeights(ValueError):
    """Weights that cannot rate: the message names the parts and the sum."""


@dataclass(frozen=True, slots=True)
class Weights:
    """Percent per part; each between 0 and 100, all five together exactly 100."""

    first_time_fix: float = 30.0
    response: float = 25.0
    satisfaction: float = 25.0
    on_time: float = 15.0
    knowledge: float = 5.0

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        listed = ", ".join(f"{name} {value:g}" for name, value in values.items())
        for name, value in values.items():
            if not (math.isfinite(value) and 0 <= value <= 100):
                raise BadWeights(f"scorecard weight {name} must be 0 to 100 %, got {value!r}")
        total = sum(values.values())
        if not math.isclose(total, 100.0, abs_tol=1e-6):
            raise BadWeights(
                f"scorecard weights must sum to 100 %, these sum to {total:g} % ({listed})"
            )

    @classmethod
    def of(cls, given: Mapping[str, float]) -> Weights:
        """From a mapping such as the setting's; every part named once, nothing else."""
        names = {p.value for p in Part}
        unknown = sorted(set(given) - names)
        missing = sorted(names - set(given))
        if unknown or missing:
            raise BadWeights(
                "scorecard weights name each part once: "
                + "; ".join(
                    text
                    for text in (
                        f"unknown {', '.join(unknown)}" if unknown else "",
                        f"missing {', '.join(missing)}" if missing else "",
                    )
                    if text
                )
                + f" (the parts: {', '.join(p.value for p in Part)})"
            )
        return cls(**{name: float(value) for name, value in given.items()})

    def of_part(self, part: Part) -> float:
        return float(getattr(self, part.value))
