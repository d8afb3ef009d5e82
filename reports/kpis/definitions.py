"""The catalogue of KPIs: name, unit, written definition, and the bands that grade a value.

The definitions are the ones docs/reports.md prints; the API returns them with every figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.kpis.results import Grade, Kpi

# What a work order was raised by when an alert (the predictive models) opened it.
PREDICTIVE_CHANNEL = "alert"


@dataclass(frozen=True, slots=True)
class Definition:
    key: str
    name: str
    unit: str
    text: str
    # Grade bands: a value at or beyond ``excellent`` is excellent, at or beyond ``to_improve``
    # (on the bad side) is to improve, in between acceptable. None: not graded.
    excellent: float | None = None
    to_improve: float | None = None
    higher_is_better: bool = True

    def grade(self, value: float | None) -> Grade | None:
        if value is None or self.excellent is None or self.to_improve is None:
            return None
        sign = 1 if self.higher_is_better else -1
        if sign * value >= sign * self.excellent:
            return Grade.EXCELLENT
        if sign * value <= sign * self.to_improve:
            return Grade.TO_IMPROVE
        return Grade.ACCEPTABLE

    def kpi(
        self,
        value: float | None,
        *,
        numerator: int | None = None,
        denominator: int | None = None,
        detail: dict[str, float] | None = None,
    ) -> Kpi:
        return Kpi(
            key=self.key,
            name=self.name,
            unit=self.unit,
            value=value,
            definition=self.text,
            numerator=numerator,
            denominator=denominator,
            grade=self.grade(value),
            detail=detail or {},
        )


_ALL = [
    Definition(
        "created", "Work orders created", "count",
        "Work orders (equipment and service work, not data-quality checks) created in the period.",
    ),
    Definition(
        "resolved", "Work orders resolved", "count",
        "Work orders resolved in the period (their latest resolution: a reopened work order "
        "counts in the month it is resolved again).",
    ),
    Definition(
        "response_median_h", "Response time (median)", "hours",
        "Median wall-clock hours from the start of the work (creation, or reopening) to the first "
        "response (acknowledged, dispatched or work started), over work orders first responded "
        "to in the period. 2 h or less is excellent, 6 h or more is to improve.",
        excellent=2.0, to_improve=6.0, higher_is_better=False,
    ),
    Definition(
        "response_within_2h", "Responded within 2 hours", "share",
        "Of the work orders first responded to in the period, the share responded to within "
        "2 wall-clock hours of the start of the work.",
        excellent=0.9, to_improve=0.6,
    ),
    Definition(
        "sla_respond", "SLA met: respond", "share",
        "Of the respond deadlines that fell in the period and have passed, the share met: the "
        "response came at or before the deadline (or the work was resolved by then). Deadlines "
        "are the SLA clock's, counted in the site's business time with pauses "
        "(workorders.sla); a reopened work order has the deadlines of its new clock. Cancelled "
        "work is left out.",
        excellent=0.95, to_improve=0.85,
    ),
    Definition(
        "sla_on_site", "SLA met: on site", "share",
        "As for respond, for the on-site deadlines: an engineer started work on site at or "
        "before it (or the work was resolved by then without a visit).",
        excellent=0.95, to_improve=0.85,
    ),
    Definition(
        "sla_resolve", "SLA met: resolve", "share",
        "As for respond, for the resolve deadlines: resolved at or before it.",
        excellent=0.95, to_improve=0.85,
    ),
    Definition(
        "on_time_completion", "On-time completion", "share",
        "Of the work orders resolved in the period, the share resolved at or before their "
        "resolve deadline (counted by completion, where the SLA figure counts by deadline).",
        excellent=0.95, to_improve=0.85,
    ),
    Definition(
        "mttr_h", "MTTR", "hours",
        "Mean time to repair: mean wall-clock hours from the start of the work (creation or "
        "reopening) to resolution, over confirmed faults resolved in the period.",
    ),
    Definition(
        "mtbf_h", "MTBF", "hours",
        "Mean time between failures: the assets' up time in the period (hours in service since "
        "first seen, less their downtime) divided by the confirmed faults whose work started in "
        "the period. Read it per asset type. Not defined per engineer.",
    ),
    Definition(
        "first_time_fix", "First-time-fix rate", "share",
        "Of the confirmed faults resolved in the period, the share fixed with at most one visit "
        "on site and never reopened.",
        excellent=0.85, to_improve=0.7,
    ),
    Definition(
        "repeat_repair", "Repeat-repair rate", "share",
        "Of the confirmed faults resolved in the period, the share on work orders reopened "
        "because the fault came back within 30 days of the repair.",
        excellent=0.05, to_improve=0.15, higher_is_better=False,
    ),
    Definition(
        "false_alarm", "False-alarm rate (predictive)", "share",
        "Of the predictive work orders (opened by an alert) resolved in the period with a "
        "resolution code, the share resolved as false_alarm.",
        excellent=0.1, to_improve=0.3, higher_is_better=False,
    ),
    Definition(
        "warning_time_median_h", "Warning time (measured, median)", "hours",
        "Over predictive work orders resolved in the period as confirmed faults, the median "
        "wall-clock hours from the first alert of the work (its earliest linked alert firing, "
        "or its detection) to the repair (the engineer on site, else the resolution). Measured, "
        "not the model's predicted failure time.",
    ),
    Definition(
        "followup_coverage", "Follow-up coverage", "share",
        "Of the confirmed faults resolved in the period, the share with an after-repair "
        "follow-up task (not cancelled).",
        excellent=0.95, to_improve=0.8,
    ),
    Definition(
        "followup_completion", "Follow-up completion", "share",
        "Of the follow-up tasks due in the period (not cancelled), the share done.",
        excellent=0.95, to_improve=0.8,
    ),
    Definition(
        "csat", "CSAT", "score",
        "Mean weighted survey score (1 to 5; overall 40 %, speed 30 %, competence 20 %, "
        "communication 10 %) of the surveys answered in the period; numerator: answers scoring "
        "4 or more.",
        excellent=4.5, to_improve=3.5,
    ),
    Definition(
        "nps", "NPS", "points",
        "Net promoter score of the surveys answered in the period with a recommendation (0-10): "
        "per cent promoters (9-10) minus per cent detractors (0-6), from -100 to 100.",
        excellent=50.0, to_improve=0.0,
    ),
    Definition(
        "complaint_rate", "Complaint rate", "share",
        "Of the service requests received in the period, the share that are complaints: raised "
        "by the customer (hotline, portal, e-mail) for a fault (emergency repair or "
        "troubleshooting), or reporting that a repaired fault came back. Detail: the count per "
        "reason (came_back, or the request category).",
        excellent=0.1, to_improve=0.25, higher_is_better=False,
    ),
    Definition(
        "parts_units", "Parts consumed", "count",
        "Parts consumed on work in the period from the stock ledger (consumed less returned "
        "against a work order). Detail: units per part number (the top 10).",
    ),
    Definition(
        "parts_cost", "Parts cost", "currency",
        "The consumed parts at their catalogue unit cost. Detail: cost per part number "
        "(the top 10).",
    ),
    Definition(
        "availability", "Availability", "share",
        "Share of the assets' time in service in the period that they were not down for a "
        "confirmed fault. Down: from the report of a breakdown (work not raised by an alert), "
        "or from the engineer on site for a fault caught by an alert, until resolution.",
        excellent=0.995, to_improve=0.98,
    ),
    Definition(
        "pm_compliance", "PM compliance", "share",
        "Of the preventive maintenance occurrences (planning/) due in the period, the share "
        "done on time: within the plan's grace days after the due date. Missed ones (skipped, "
        "or their work cancelled) and those open past the grace count against it; those still "
        "within their grace when the period ends are not counted yet (detail: late, missed, "
        "pending).",
        excellent=0.95, to_improve=0.85,
    ),
]  # fmt: skip

DEFINITIONS: dict[str, Definition] = {d.key: d for d in _ALL}
KEYS: tuple[str, ...] = tuple(DEFINITIONS)


def _empty(d: Definition) -> Kpi:
    if d.unit == "share":
        return d.kpi(None, numerator=0, denominator=0)
    if d.unit in ("count", "currency"):
        return d.kpi(0)
    return d.kpi(None, denominator=0)


# Made once: a breakdown by site fills ~10,000 empty figures, all equal (a Kpi is frozen).
_EMPTY = {key: _empty(d) for key, d in DEFINITIONS.items()}


def empty(key: str) -> Kpi:
    """The figure of a scope with nothing to compute it on."""
    return _EMPTY[key]
