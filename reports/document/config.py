"""What a report is made with besides the records: targets, costs, currency (from the settings,
handed down by the command line and the scheduler)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reports.scorecards.weights import Weights


@dataclass(frozen=True, slots=True)
class Costs:
    """What one failure costs when it happens unannounced, against the planned repair that a
    prediction allows, and what a false alarm's visit costs."""

    unplanned_failure: float = 12_000.0
    planned_repair: float = 3_000.0
    false_alarm_visit: float = 400.0

    @property
    def avoided_per_catch(self) -> float:
        return self.unplanned_failure - self.planned_repair


@dataclass(frozen=True, slots=True)
class ReportConfig:
    currency: str = "EUR"
    costs: Costs = field(default_factory=Costs)
    # Per asset type, where one differs from ``costs`` (an elevator breakdown costs more).
    costs_by_asset_type: Mapping[str, Costs] = field(default_factory=dict)
    # KPI key -> target; a KPI without one is measured against its "excellent" band.
    targets: Mapping[str, float] = field(default_factory=dict)
    # The engineer scorecards' weights (the scorecard module's, from the settings).
    scorecard_weights: Weights = field(default_factory=Weights)
    # How many periods the trends show (months for a monthly report, quarters for a quarterly).
    trend_periods: int = 6

    def costs_for(self, asset_type: str) -> Costs:
        return self.costs_by_asset_type.get(asset_type, self.costs)
