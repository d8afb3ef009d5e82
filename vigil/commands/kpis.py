"""``vigil kpis 2026-11 [--by region] [--json]``: the service KPIs of a period (reports.kpis)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from reports.kpis import BadPeriod, Dimension, Kpi, KpiReport, compute, parse_period
from vigil import db
from vigil.cli import load_cli_settings


def show(kpi: Kpi) -> str:
    """A figure as people read it: "-" when there was nothing to compute it on."""
    if kpi.value is None:
        return "-"
    if kpi.unit == "share":
        text = f"{kpi.value:.1%} ({kpi.numerator}/{kpi.denominator})"
    elif kpi.unit == "count":
        text = f"{kpi.value:.0f}"
    elif kpi.unit == "hours":
        text = f"{kpi.value:.1f} h"
    else:
        text = f"{kpi.value:.2f}"
    return f"{text} {kpi.grade.value}" if kpi.grade else text


def _table(report: KpiReport) -> Table:
    groups = report.groups
    table = Table("KPI", "total", *(g.key for g in groups), title=f"KPIs {report.period.label}")
    for key, kpi in report.total.items():
        table.add_row(kpi.name, show(kpi), *(show(g.kpis[key]) for g in groups))
    return table


def kpis(
    ctx: typer.Context,
    period: str = typer.Argument(
        ..., help="A month (2026-11), a quarter (2026Q4) or days (2026-11-03..2026-11-09)."
    ),
    by: Dimension | None = typer.Option(None, "--by", help="Break the figures down by this."),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON instead of a table."),
) -> None:
    """The service KPIs of a period (definitions: docs/reports.md)."""
    try:
        chosen = parse_period(period)
    except BadPeriod as error:
        typer.echo(f"vigil: {error}", err=True)
        raise typer.Exit(2) from None
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        report = compute(session=session, period=chosen, breakdown=by)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        Console(width=200).print(_table(report))


def register(app: typer.Typer) -> None:
    app.command("kpis")(kpis)
