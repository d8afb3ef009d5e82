"""`vigil report 2026-11` / `vigil report --quarter 2026Q4`: the service report as one HTML file
(charts inside, prints on A4, opens offline) and a CSV file per table."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console

from reports.document import flows
from reports.document.build import STEPS
from reports.kpis import BadPeriod, Period, parse_period
from vigil.cli import load_cli_settings
from vigil.db import open_sessions
from vigil.reporting import report_config
from vigil.settings import SettingsError


def _period(month: str | None, quarter: str | None) -> Period:
    if (month is None) == (quarter is None):
        raise BadPeriod("give a month (vigil report 2026-11) or --quarter 2026Q4, one of them")
    text = month if month is not None else quarter
    assert text is not None
    period = parse_period(text)
    wanted = "month" if month is not None else "quarter"
    if period.kind != wanted:
        example = "2026-11" if wanted == "month" else "2026Q4"
        raise BadPeriod(f"expected a {wanted} such as {example}, got {text!r}")
    return period


def report(
    ctx: typer.Context,
    month: str | None = typer.Argument(None, help="The month, YYYY-MM (e.g. 2026-11)."),
    quarter: str | None = typer.Option(None, "--quarter", help="A quarter instead, e.g. 2026Q4."),
    out: Path | None = typer.Option(
        None, "--out", help="Output directory (default: ./vigil-report-<period> here)."
    ),
) -> None:
    """Write the monthly or quarterly service report: report.html and one CSV per table."""
    try:
        period = _period(month, quarter)
    except BadPeriod as error:
        typer.echo(f"vigil report: {error}", err=True)
        raise typer.Exit(2) from None
    settings = load_cli_settings(ctx)
    try:
        config = report_config(settings)
    except SettingsError as error:
        typer.echo(f"vigil: {error}", err=True)
        raise typer.Exit(2) from None
    directory = (out or Path(f"vigil-report-{period.label}")).resolve()
    sessions = open_sessions(settings.resolved_database_url)
    console = Console(stderr=True)
    done = 0
    with console.status(f"report {period.label}: reading the records") as status:

        def progress(step: str) -> None:
            nonlocal done
            done += 1
            status.update(f"report {period.label} [{min(done, STEPS + 1)}/{STEPS + 1}]: {step}")

        written = flows.make(
            session_factory=sessions,
            period=period,
            directory=directory,
            now=datetime.now(UTC),
            config=config,
            progress=progress,
        )
    console.print(f"{len(written.csvs)} CSV files and the report written.")
    typer.echo(written.html)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
