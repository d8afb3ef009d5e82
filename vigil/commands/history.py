"""``vigil history generate | load``: a realistic service history for reports, benchmarks and
the demo (``simulators.history`` writes it as files, ``vigil.history`` loads it)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from customers.errors import RecordError
from vigil import db
from vigil.cli import load_cli_settings

history_app = typer.Typer(
    help="A generated service history: write it as files, or load it into the database.",
    no_args_is_help=True,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil history: {message}", err=True)
    return typer.Exit(2)


def _load(ctx: typer.Context, directory: Path) -> None:
    from vigil.history.loader import STEPS, load

    console = Console()
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    columns = (
        TextColumn("[bold]{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar, sessions() as session:
        task = bar.add_task("loading", total=len(STEPS))

        def advance(step: str, done: int, total: int) -> None:
            following = STEPS[done] if done < total else "committing"
            bar.update(task, completed=done, description=following)

        try:
            loaded = load(session=session, directory=directory, now=datetime.now(UTC),
                          progress=advance)  # fmt: skip
        except (RecordError, FileNotFoundError, ValueError) as error:
            raise _fail(str(error)) from None
        started = time.perf_counter()
        session.commit()
        loaded.seconds["commit"] = time.perf_counter() - started
        bar.update(task, description="done")
    table = Table(title=f"History {loaded.start:%Y-%m-%d} to {loaded.end:%Y-%m-%d} loaded")
    table.add_column("step")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    for step, seconds in loaded.seconds.items():
        table.add_row(step, f"{loaded.counts.get(step, 0):,}", f"{seconds:.1f}")
    table.add_row("total", "", f"{loaded.total_s:.1f}")
    console.print(table)


@history_app.command("generate")
def generate(
    ctx: typer.Context,
    months: int = typer.Option(6, min=1, max=60, help="How many months of history."),
    assets: int = typer.Option(500, min=1, max=200_000, help="How many assets in the fleet."),
    seed: int = typer.Option(1, help="Same seed, same history."),
    end: str | None = typer.Option(None, help="Last day + 1, YYYY-MM-DD (default: today, UTC)."),
    out: Path | None = typer.Option(None, help="Write the files here (default: a temporary dir)."),
    load_it: bool = typer.Option(True, "--load/--no-load", help="Load it into the database."),
) -> None:
    """Generate a history as files (JSON Lines), and load it unless --no-load."""
    from simulators.history import generate as make
    from simulators.history import write

    try:
        until = datetime.fromisoformat(end).replace(tzinfo=UTC) if end else None
    except ValueError:
        raise _fail(f"--end wants YYYY-MM-DD, got {end!r}") from None
    started = time.perf_counter()
    history = make(months=months, assets=assets, seed=seed, end=until)
    with tempfile.TemporaryDirectory(prefix="vigil-history-") as scratch:
        directory = write(history, out or Path(scratch))
        counts = ", ".join(f"{n:,} {kind}" for kind, n in history.counts().items())
        typer.echo(f"generated in {time.perf_counter() - started:.1f} s: {counts}")
        if out is not None:
            typer.echo(f"written to {out}")
        if load_it:
            _load(ctx, directory)


@history_app.command("load")
def load_(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="A directory written by `vigil history generate`."),
) -> None:
    """Load a history written as files into the database (once: a second load is refused)."""
    _load(ctx, directory)


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")
