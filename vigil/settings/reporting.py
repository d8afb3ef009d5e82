"""Settings of the reports: engineer scorecards, customer value (RFM), and the monthly report
with its costs and targets (docs/reports.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, Field, model_validator

from reports.scorecards.weights import DEFAULT_WEIGHTS, BadWeights, Weights
from reports.value.rfm import BadBands, RfmRules


class ReportSettings(BaseModel):
    # --- Engineer scorecards and customer value (docs/reports.md) ---
    # Percent per part, summing to 100. JSON: {"first_time_fix": 30, "response": 25, ...}.
    scorecard_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    # RFM: the months looked back over, and the 4 cut points of each score (for scores 2 to 5).
    rfm_window_months: int = Field(default=24, ge=1, le=120)
    # The defaults are RfmRules' own (why they are what they are: reports/value/rfm.py).
    rfm_recency_days: list[int] = Field(default_factory=lambda: list(RfmRules().recency_days))
    rfm_frequency_bands: list[int] = Field(default_factory=lambda: list(RfmRules().frequency_bands))
    rfm_monetary_bands: list[Decimal] = Field(
        default_factory=lambda: list(RfmRules().monetary_bands)
    )

    # --- Reports (reports/document) ---
    # The month's report is made from this hour (UTC) on the 1st and mailed to
    # service_manager_emails, once; a service started later in the month makes it at its start.
    monthly_report: bool = True
    monthly_report_hour: int = Field(default=6, ge=0, le=23)
    # How often the scheduler looks whether a report is due or waits to be mailed.
    report_poll_s: float = Field(default=300.0, gt=0)
    report_currency: str = Field(default="EUR", min_length=1, max_length=8)
    # What predictive maintenance saves: an unannounced failure costs this, the planned repair a
    # prediction allows costs this, and a false alarm's visit this.
    unplanned_failure_cost: float = Field(default=12_000.0, ge=0)
    planned_repair_cost: float = Field(default=3_000.0, ge=0)
    false_alarm_visit_cost: float = Field(default=400.0, ge=0)
    # Per asset type where one differs, JSON: {"elevator": [25000, 4000, 600]} (unplanned,
    # planned, false-alarm visit).
    report_costs_by_asset_type: dict[str, tuple[float, float, float]] = Field(default_factory=dict)
    # KPI key -> target, JSON: {"first_time_fix": 0.9, "response_median_h": 1.5}; a KPI without
    # one is held to its "excellent" band (docs/reports.md). Keys are checked by
    # vigil.reporting when a report is made or `vigil serve` starts (not here: the settings are
    # loaded by `vigil ingest` too, which should not import the KPI module).
    report_targets: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _value_rules(self) -> Self:
        # Built here so that bad weights or bands stop the start, not the 1st of the month.
        try:
            Weights.of(self.scorecard_weights)
        except BadWeights as error:
            raise ValueError(f"VIGIL_SCORECARD_WEIGHTS: {error}") from None
        try:
            self.rfm_rules  # noqa: B018 - built for its checks
        except BadBands as error:
            raise ValueError(f"VIGIL_RFM_*: {error}") from None
        return self

    @property
    def rfm_rules(self) -> RfmRules:
        return RfmRules(
            window_months=self.rfm_window_months,
            recency_days=tuple(self.rfm_recency_days),
            frequency_bands=tuple(self.rfm_frequency_bands),
            monetary_bands=tuple(self.rfm_monetary_bands),
        )

    @property
    def weights(self) -> Weights:
        return Weights.of(self.scorecard_weights)
