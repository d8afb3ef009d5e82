"""What `vigil models train` and `evaluate` print: the evaluation table, what the work-order
outcomes changed, the remaining life learned, and warnings about the training data."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table


def coverage_warnings(metrics: dict[str, Any]) -> None:
    """Say when the training data is less than a week with a weekend."""
    for asset_type, m in sorted(metrics.items()):
        cover = m.get("coverage")
        if not cover or cover["enough"]:
            continue
        missing = [] if cover["weekend"] else ["no weekend"]
        if not cover["working_days"]:
            missing.append("no working day")
        detail = ", ".join([f"{cover['days']:g} days", *missing])
        typer.echo(
            f"warning: {asset_type}: the training data covers {detail}; at least a week with a "
            "weekend is needed to learn hour-of-day and weekend effects, so this model was "
            "trained without them (train on a longer stretch: --start)",
            err=True,
        )


def rul_lines(metrics: dict[str, Any]) -> None:
    """Remaining life from confirmed failures: trained, or why not yet."""
    for asset_type, m in sorted(metrics.items()):
        rul = m.get("rul")
        if not rul or not rul["confirmed_failures"]:
            continue
        if rul["trained"]:
            typer.echo(
                f"{asset_type}: remaining life learned from {rul['histories']} confirmed "
                f"failures ({rul['windows']} windows of telemetry before them; out-of-fold "
                f"RMSE {rul['out_of_fold_rmse_windows']:.1f} windows, capped at "
                f"{rul['cap_windows']:g})"
            )
        else:
            typer.echo(f"{asset_type}: remaining life not learned: {rul['reason']}")


def labels_table(metrics: dict[str, Any]) -> None:
    """What the work-order outcomes changed: per reported false alarm, the thresholds before and
    after, and its windows alarming before and after."""
    changed = {t: m["labels"] for t, m in sorted(metrics.items()) if m.get("labels")}
    if not changed:
        return
    table = Table(title="What the work-order outcomes changed")
    for column in ("asset type", "false alarm on", "fault", "threshold", "alarm windows"):
        table.add_column(column, justify="right")
    for asset_type, report in changed.items():
        for item in report["false_alarms"]:
            table.add_row(
                asset_type,
                f"{item['asset']} {item['start'][:16]}",
                ", ".join(item["fault_codes"]) or "-",
                f"{item['threshold_before']:.3g} -> {item['threshold_after']:.3g}",
                f"{item['alarms_before']} -> {item['alarms_after']}",
            )
    Console().print(table)
    for asset_type, report in changed.items():
        typer.echo(
            f"{asset_type}: {report['windows_now_quiet']} window(s) now quiet "
            f"({report['alarm_windows_before']} -> {report['alarm_windows_after']} alarm windows "
            f"in the training data); type-wide levels: {report['levels']['by_type'] or 'none'}; "
            f"{report['confirmed_faults']} confirmed fault(s) learned as unhealthy"
        )


def metrics_table(
    metrics: dict[str, Any], *, title: str = "Evaluation on labelled faults (training window)"
) -> None:
    table = Table(title=title)
    for column in (
        "asset type",
        "assets",
        "faults",
        "detected",
        "median lead (d)",
        "false WO/100 ad",
    ):
        table.add_column(column, justify="right")
    for asset_type, m in sorted(metrics.items()):
        lead = m.get("median_lead_days")
        table.add_row(
            asset_type,
            str(m.get("assets")),
            str(m.get("faults")),
            f"{m.get('detected_share', 0):.0%}",
            "-" if lead is None else f"{lead:.1f}",
            f"{m.get('false_wo_per_100_asset_days', 0):.2f}",
        )
    Console().print(table)


def ambient_warnings(metrics: dict[str, Any]) -> None:
    """Say which sites had no ambient source for the assets that report none
    (``models.site_ambient``): their windows were judged without the weather, as before."""
    for asset_type, m in sorted(metrics.items()):
        filled = m.get("site_ambient")
        if not filled or not filled["sites_without_source"]:
            continue
        typer.echo(
            f"warning: {asset_type}: no ambient temperature at site(s) "
            f"{', '.join(filled['sites_without_source'])} ({filled['windows_without_source']} "
            "windows): nothing there reports `ambient_temperature`, so the weather's drift is "
            "not explained for these assets (a chiller's outdoor sensor or a gateway's room "
            "sensor at the site would give it)",
            err=True,
        )
