"""Service KPIs on any period, for the whole fleet or broken down by one dimension.

The public interface (stable; the reports, scorecards, API and benchmarks call only this)::

    from reports.kpis import Dimension, Filters, compute, parse_period, trend

    period = parse_period("2026-11")        # a month; "2026Q4" a quarter;
                                            # "2026-11-03..2026-11-09" days (both included)
    period = period_from(start=date(2026, 11, 3), end=date(2026, 11, 9))   # from/to, the API's way
    report = compute(
        session=session,                    # the caller owns the transaction; nothing is written
        period=period,
        breakdown=Dimension.REGION,         # or SITE, CUSTOMER, ENGINEER, ASSET_TYPE, FAULT_CODE, None
        filters=Filters(customer="ACME"),   # equality filters on the same six dimensions
        now=now,                            # what has happened by then (default: the clock)
        page=Page(limit=100, offset=0, sort="first_time_fix", descending=True),  # default: all
    )
    report.total["first_time_fix"]         # Kpi(value=0.82, numerator=41, denominator=50, ...)
    report.groups                          # [Group(key="north", kpis={...}), ...]; "(not set)" last
    report.total_groups, report.next_offset  # groups in all; where the next page starts (or None)
    report.as_dict()                       # the API's JSON
    months = trend(session=session, until=period, months=12)   # list[KpiReport], oldest first

- :class:`Period`: ``start``/``end`` (UTC, end excluded), ``kind`` (month, quarter, custom),
  ``label``, ``previous()``, ``trailing(n)``. Bad text raises :class:`BadPeriod` (a ValueError
  whose message says what is accepted).
- :class:`Kpi`: ``key``, ``name``, ``unit`` (share, hours, score, points, count, currency),
  ``value`` (None when there was nothing to compute it on, never a fake 0), ``numerator`` and
  ``denominator`` (the counts of a share; the count of values of a median or mean), ``grade``
  (excellent, acceptable, to_improve, or None), ``definition`` (the text of docs/reports.md)
  and ``detail`` (NPS promoters and detractors, complaint reasons, parts by part number).
- Every report has every key of :data:`KEYS`: created, resolved, response_median_h,
  response_within_2h, sla_respond, sla_on_site, sla_resolve, on_time_completion, mttr_h, mtbf_h,
  first_time_fix, repeat_repair, false_alarm, warning_time_median_h, followup_coverage,
  followup_completion, csat, nps, complaint_rate, parts_units, parts_cost, availability,
  pm_compliance. :data:`DEFINITIONS` holds their names, units, definitions and grade bands.
- A group's counts add up to the total's whenever each record belongs to one group (every
  dimension, except that asset time is shared by all fault-code groups).
- :class:`Page`: which groups of a breakdown to make: sorted by :data:`BY_KEY` (the default) or
  by a KPI's value (groups without one last, ties by key), ``descending`` or not, ``limit``
  (None: all) from ``offset``. The total is always the whole scope's. A bad page raises
  :class:`BadPage` (a ValueError whose message says what is accepted).

Figures are aggregated by the database (SQLite and PostgreSQL); see the modules for each family:
``work`` (work orders), ``fleet`` (availability, MTBF), ``customer`` (follow-up, surveys,
complaints, parts), ``preventive`` (PM compliance). A breakdown reads each family's records
once, grouped; the total is made from its groups (``family``).
"""

from reports.kpis.definitions import DEFINITIONS, KEYS, Definition
from reports.kpis.period import (
    BadPeriod,
    Period,
    custom_period,
    month_period,
    parse_period,
    period_from,
    quarter_period,
)
from reports.kpis.results import (
    BY_KEY,
    NOT_SET,
    BadPage,
    Dimension,
    Filters,
    Grade,
    Group,
    Kpi,
    KpiReport,
    Page,
)
from reports.kpis.service import compute, trend

__all__ = [
    "BY_KEY",
    "DEFINITIONS",
    "KEYS",
    "NOT_SET",
    "BadPage",
    "BadPeriod",
    "Definition",
    "Dimension",
    "Filters",
    "Grade",
    "Group",
    "Kpi",
    "KpiReport",
    "Page",
    "Period",
    "compute",
    "custom_period",
    "month_period",
    "parse_period",
    "period_from",
    "quarter_period",
    "trend",
]
