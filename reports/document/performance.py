"""The report's sections built on the KPI module's figures (never recomputed here, so that every
number in them is the one the KPI API returns): the KPIs against the previous period and the
target, the satisfaction trend, engineers and regions compared, and the parts consumed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reports.document.charts import bar_chart, line_chart
from reports.document.config import ReportConfig
from reports.document.content import Column, ColumnKind, Figure, Section, Table, fmt
from reports.kpis import DEFINITIONS, Dimension, Kpi, KpiReport, Period

# The KPI module for a period, whole (None) or broken down by a dimension.
KpiSource = Callable[[Period, Dimension | None], KpiReport]

_KIND: dict[str, ColumnKind] = {
    "share": "percent",
    "hours": "hours",
    "count": "int",
    "currency": "money",
    "score": "number",
    "points": "number",
}


def target_of(key: str, config: ReportConfig) -> float | None:
    """The configured target, else the KPI's "excellent" band."""
    if key in config.targets:
        return config.targets[key]
    definition = DEFINITIONS.get(key)
    return definition.excellent if definition is not None else None


def meets(key: str, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    definition = DEFINITIONS.get(key)
    higher = definition.higher_is_better if definition is not None else True
    return value >= target if higher else value <= target


def _show(kpi: Kpi, value: float | None, currency: str) -> str:
    return fmt(value, _KIND.get(kpi.unit, "number"), currency=currency)


def kpis_section(*, current: KpiReport, previous: KpiReport, config: ReportConfig) -> Section:
    rows: list[list[Any]] = []
    for key, kpi in current.total.items():
        before = previous.total.get(key)
        prior = before.value if before is not None else None
        target = target_of(key, config)
        change = kpi.value - prior if kpi.value is not None and prior is not None else None
        rows.append(
            [
                key,
                kpi.name,
                kpi.unit,
                kpi.value,
                prior,
                change,
                target,
                meets(key, kpi.value, target),
                kpi.grade.value if kpi.grade else None,
                kpi.numerator,
                kpi.denominator,
            ]
        )
    table = Table(
        slug="kpis",
        title=f"KPIs {current.period.label} against {previous.period.label} and the target",
        columns=[
            Column("key", "Key", shown=False),
            Column("name", "KPI"),
            Column("unit", "Unit", shown=False),
            Column("value", "This period", "unit"),
            Column("previous", "Previous period", "unit"),
            Column("change", "Change", "change"),
            Column("target", "Target", "unit"),
            Column("meets_target", "Meets target"),
            Column("grade", "Grade"),
            Column("numerator", "Numerator", "int"),
            Column("denominator", "Out of", "int"),
        ],
        rows=rows,
    )
    shares = [
        k for k, kpi in current.total.items() if kpi.unit == "share" and kpi.value is not None
    ]
    chart = bar_chart(
        title="Shares against the previous period and the target",
        labels=[current.total[k].name for k in shares],
        series=[
            (current.period.label, [current.total[k].value for k in shares]),
            (previous.period.label, [_value(previous.total, k) for k in shares]),
            ("target", [target_of(k, config) for k in shares]),
        ],
        fmt=lambda v: f"{v * 100:.0f} %",
    )
    missed = [r[1] for r in rows if r[7] is False]
    return Section(
        slug="kpis",
        title="KPIs against the previous period and the target",
        intro=(
            "Every KPI of the period beside the previous period and its target. Targets are "
            "settings (VIGIL_REPORT_TARGETS); a KPI without one is held to its 'excellent' band. "
            "The definitions are in docs/reports.md."
        ),
        cards=[
            (
                current.total[k].name,
                _show(current.total[k], current.total[k].value, config.currency),
                f"previous {_show(current.total[k], _value(previous.total, k), config.currency)}",
            )
            for k in ("first_time_fix", "response_median_h", "csat", "availability")
            if k in current.total
        ],
        figures=[Figure(chart, "Each share this period, the previous period and the target.")],
        tables=[table],
        notes=[f"Below target: {', '.join(missed)}."] if missed else [],
    )


def _value(kpis: Mapping[str, Kpi], key: str) -> float | None:
    kpi = kpis.get(key)
    return kpi.value if kpi is not None else None


def satisfaction_section(*, trend: list[KpiReport]) -> Section:
    labels = [r.period.label for r in trend]
    csat = [_value(r.total, "csat") for r in trend]
    nps = [_value(r.total, "nps") for r in trend]
    complaints = [_value(r.total, "complaint_rate") for r in trend]
    answers = [r.total["csat"].denominator if "csat" in r.total else None for r in trend]
    table = Table(
        slug="satisfaction-trend",
        title="Customer satisfaction per period",
        columns=[
            Column("period", "Period"),
            Column("csat", "CSAT (1-5)", "number"),
            Column("survey_answers", "Answers", "int"),
            Column("nps", "NPS", "number"),
            Column("complaint_rate", "Complaint rate", "percent"),
        ],
        rows=[list(row) for row in zip(labels, csat, answers, nps, complaints, strict=True)],
    )
    return Section(
        slug="satisfaction",
        title="Satisfaction trend",
        intro="CSAT, NPS and the complaint rate over the last periods, from the answered surveys and the requests received.",
        figures=[
            Figure(
                line_chart(
                    title="CSAT per period",
                    x_labels=labels,
                    series=[("CSAT", csat)],
                    axis=(1.0, 5.0, 1.0),
                ),
                "Mean weighted survey score (1 to 5).",
            ),
            Figure(
                line_chart(
                    title="NPS per period",
                    x_labels=labels,
                    series=[("NPS", nps)],
                    axis=(-100.0, 100.0, 50.0),
                ),
                "Promoters less detractors, in points.",
            ),
        ],
        tables=[table],
    )


COMPARED = ("created", "response_median_h", "first_time_fix", "on_time_completion", "csat", "nps")


def comparison_section(
    *, engineers: KpiReport, regions: KpiReport, config: ReportConfig
) -> Section:
    def table(report: KpiReport, slug: str, label: str) -> Table:
        columns = [Column(report.breakdown.value if report.breakdown else "group", label)]
        for key in COMPARED:
            definition = DEFINITIONS[key]
            columns.append(Column(key, definition.name, _KIND.get(definition.unit, "number")))
        rows: list[list[Any]] = [
            [g.key, *(_value(g.kpis, k) for k in COMPARED)] for g in report.groups
        ]
        rows.sort(key=lambda r: (-(r[1] or 0), r[0]))
        return Table(slug=slug, title=f"{label}s compared", columns=columns, rows=rows)

    engineer_table = table(engineers, "engineers", "Engineer")
    region_table = table(regions, "regions", "Region")
    rated = [r for r in engineer_table.rows if r[3] is not None][:15]
    ftf = bar_chart(
        title="First-time-fix rate per engineer",
        labels=[str(r[0]) for r in rated],
        series=[("first-time fix", [r[3] for r in rated])],
        fmt=lambda v: f"{v * 100:.0f} %",
    )
    answered = [r for r in region_table.rows if r[2] is not None]
    response = bar_chart(
        title="Median response time per region",
        labels=[str(r[0]) for r in answered],
        series=[("response (h)", [r[2] for r in answered])],
        fmt=lambda v: f"{v:.1f} h",
    )
    return Section(
        slug="comparison",
        title="Engineers and regions compared",
        intro=(
            "The main KPIs per engineer (the work order's assignee) and per region of the site, "
            "busiest first. Small counts swing: read a rate with the work behind it."
        ),
        figures=[
            Figure(ftf, "First-time-fix rate of the busiest engineers with confirmed repairs."),
            Figure(response, "Median hours to the first response, per region."),
        ],
        tables=[engineer_table, region_table],
    )


def parts_section(*, current: KpiReport, config: ReportConfig) -> Section:
    units = current.total.get("parts_units")
    cost = current.total.get("parts_cost")
    by_units = dict(units.detail) if units is not None else {}
    by_cost = dict(cost.detail) if cost is not None else {}
    parts = sorted(set(by_units) | set(by_cost), key=lambda p: (-by_cost.get(p, 0.0), p))
    table = Table(
        slug="parts-consumed",
        title="Parts consumed (the ten largest by units and by cost)",
        columns=[
            Column("part_number", "Part"),
            Column("units", "Units", "int"),
            Column("cost", "Cost", "money"),
        ],
        rows=[[p, by_units.get(p), by_cost.get(p)] for p in parts],
    )

    def money(value: float) -> str:
        return fmt(value, "money", currency=config.currency)

    return Section(
        slug="parts",
        title="Parts consumed",
        intro="Parts consumed on work in the period, from the stock ledger (consumed less returned), at catalogue cost.",
        cards=[
            ("Units", fmt(units.value if units else None, "int"), "parts consumed"),
            (
                "Cost",
                money(cost.value) if cost and cost.value is not None else "–",
                "at catalogue cost",
            ),
        ],
        figures=[
            Figure(
                bar_chart(
                    title="Cost of the parts consumed",
                    labels=parts,
                    series=[("cost", [by_cost.get(p) for p in parts])],
                    fmt=money,
                ),
                "The parts that cost the most in the period.",
            )
        ],
        tables=[table],
    )
