"""What predictive maintenance saved: failures caught before they happened, the warning it gave
(measured, from the KPI module), and the cost avoided.

Avoided cost = caught failures × (cost of an unplanned failure − cost of a planned repair), less
the visits false alarms cost; per asset type with its own costs where the settings give them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reports.document.charts import bar_chart, line_chart
from reports.document.config import ReportConfig
from reports.document.content import Column, Figure, Section, Table, fmt
from reports.document.queries import Caught, caught_by_type
from reports.kpis import Kpi, Period


def section(
    *,
    session: Session,
    period: Period,
    config: ReportConfig,
    warning_time: Kpi,
    trend: list[Period],
) -> Section:
    caught = caught_by_type(session=session, period=period)

    def money(value: float) -> str:
        return fmt(value, "money", currency=config.currency)

    rows: list[list[Any]] = []
    totals = [0, 0, 0, 0.0, 0.0, 0.0]
    for c in caught:
        costs = config.costs_for(c.asset_type)
        avoided = c.predicted_confirmed * costs.avoided_per_catch
        wasted = c.predicted_false_alarms * costs.false_alarm_visit
        rows.append(
            [
                c.asset_type,
                c.predicted_confirmed,
                c.unplanned_confirmed,
                _share(c.predicted_confirmed, c.unplanned_confirmed),
                c.predicted_false_alarms,
                avoided,
                wasted,
                avoided - wasted,
            ]
        )
        for i, v in enumerate(
            (c.predicted_confirmed, c.unplanned_confirmed, c.predicted_false_alarms)
        ):
            totals[i] += v
        totals[3] += avoided
        totals[4] += wasted
        totals[5] += avoided - wasted
    caught_n, unplanned_n, false_n = int(totals[0]), int(totals[1]), int(totals[2])
    if rows:
        rows.append(
            [
                "all",
                caught_n,
                unplanned_n,
                _share(caught_n, unplanned_n),
                false_n,
                totals[3],
                totals[4],
                totals[5],
            ]
        )
    table = Table(
        slug="predictive-savings",
        title="Failures caught before they happened, and the cost avoided, per asset type",
        columns=[
            Column("asset_type", "Asset type"),
            Column("caught_before_failure", "Caught by prediction", "int"),
            Column("unplanned_failures", "Unannounced failures", "int"),
            Column("share_caught", "Share caught", "percent"),
            Column("false_alarms", "False alarms", "int"),
            Column("avoided_cost", "Avoided cost", "money"),
            Column("false_alarm_cost", "False-alarm visits", "money"),
            Column("net_saving", "Net saving", "money"),
        ],
        rows=rows,
    )
    history = [caught_by_type(session=session, period=p) for p in trend]
    figure = line_chart(
        title="Failures caught by prediction and unannounced failures per period",
        x_labels=[p.label for p in trend],
        series=[
            (
                "caught by prediction",
                [float(sum(c.predicted_confirmed for c in h)) for h in history],
            ),
            ("unannounced", [float(sum(c.unplanned_confirmed for c in h)) for h in history]),
        ],
    )
    by_type = bar_chart(
        title="Net saving per asset type",
        labels=[r[0] for r in rows if r[0] != "all"],
        series=[("net saving", [float(r[7]) for r in rows if r[0] != "all"])],
        fmt=money,
    )
    costs = config.costs
    return Section(
        slug="savings",
        title="What predictive maintenance saved",
        intro=(
            "A failure caught before it happened is a predictive work order (opened by an alert) "
            "resolved in the period as a confirmed fault; an unannounced failure is a confirmed "
            "fault that a person reported (hotline, portal, e-mail, inspection). Each catch saves "
            f"the cost of an unplanned failure ({money(costs.unplanned_failure)}) less that of a "
            f"planned repair ({money(costs.planned_repair)}); each false alarm costs a visit "
            f"({money(costs.false_alarm_visit)}). Costs are settings, per asset type where set."
        ),
        cards=[
            (
                "Failures caught before they happened",
                f"{caught_n:,}",
                f"of {caught_n + unplanned_n:,} confirmed faults",
            ),
            (
                "Measured warning time (median)",
                fmt(warning_time.value, "hours"),
                f"over {warning_time.denominator or 0:,} caught failures, first alert to repair",
            ),
            (
                "Net saving",
                money(totals[5]),
                f"{money(totals[3])} avoided, {money(totals[4])} on false alarms",
            ),
        ],
        figures=[
            Figure(figure, "Caught and unannounced failures over the last periods."),
            Figure(by_type, "Net saving per asset type in the period."),
        ],
        tables=[table],
    )


def _share(caught: int, unplanned: int) -> float | None:
    return caught / (caught + unplanned) if caught + unplanned else None


__all__ = ["Caught", "section"]
