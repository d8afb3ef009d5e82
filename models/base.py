"""The contracts every detector and every consumer of decisions share.

A detector scores feature rows: **a higher score means more anomalous**, always. Deciding whether
a score is an alarm is a separate step (``models.thresholds``), and alerts consume decisions,
never raw scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Detector(Protocol):
    """Scores rows of a feature frame (one row per asset and window, one column per feature)."""

    name: str

    def fit(self, features: pd.DataFrame) -> Detector:
        """Learn what healthy looks like. Rows must be healthy windows only."""
        ...

    def score(self, features: pd.DataFrame) -> pd.Series:
        """One score per row, index aligned with ``features``; higher is more anomalous.

        Before ``fit`` (or for columns never seen) a detector returns neutral scores, not errors.
        """
        ...

    def explain(self, features: pd.DataFrame) -> pd.DataFrame:
        """Contribution of each feature to each row's score (same index, one column per feature)."""
        ...


# Fault codes a decision may suggest. Data-quality codes are not equipment faults: alerts open a
# lower-priority work order for them, never an equipment-fault one.
FAULT_CODES: dict[str, str] = {
    "mechanical": "Mechanical degradation (vibration)",
    "thermal": "Overheating or cooling failure (temperature)",
    "energy_drift": "Efficiency loss (more power for the same work)",
    "electrical": "Electrical fault (current asymmetry)",
    "process": "Process anomaly (flow, pressure, load)",
    "anomaly": "Unclassified anomaly",
    "dq_stuck_sensor": "Data quality: sensor stuck at one value",
    "dq_gateway_offline": "Data quality: gateway offline",
    "dq_gap": "Data quality: readings missing",
}
DATA_QUALITY_CODES = frozenset(code for code in FAULT_CODES if code.startswith("dq_"))


@dataclass(frozen=True, slots=True)
class Decision:
    """The scorer's verdict for one asset at one time, handed to the alerts layer."""

    site: str
    asset: str
    asset_type: str
    at: datetime
    fault_code: str
    score: float
    threshold: float
    is_anomalous: bool
    detector: str
    model_version: str
    # Top contributing metrics, largest first: metric name -> share of the score (0..1).
    contributions: dict[str, float] = field(default_factory=dict)
    # From the degradation-trend detector, when the trend predicts a crossing of the failure level.
    predicted_failure_at: datetime | None = None
    # Its 90 % interval (``models.rul``); the high end is None when it is open (no crossing).
    predicted_failure_low: datetime | None = None
    predicted_failure_high: datetime | None = None
    # Which estimate gave them (``models.rul.live``): "learned" (the remaining-life model trained
    # on confirmed failures) or "trend" (the degradation trend's line); None without one.
    rul_source: str | None = None
    # True while the asset or model is still warming up: never alarm on these.
    cold_start: bool = False
