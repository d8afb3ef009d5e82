"""``vigil engineers import | create | list``: the field engineers dispatch chooses from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from customers.importing import ImportRefused
from field import service
from field.importing import COLUMNS, import_csv
from field.schemas import EngineerCreate
from vigil import db
from vigil.cli import load_cli_settings
from workorders.errors import WorkOrderError

engineers_app = typer.Typer(help="Field engineers: import, create, list.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil engineers: {message}", err=True)
    return typer.Exit(2)


@engineers_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help=f"CSV with a header line: {','.join(COLUMNS)}"),
) -> None:
    """Import engineers from a CSV file: all of them, or none when a line is bad (each named)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as unreadable:
        raise _fail(f"cannot read {file}: {unreadable.strerror}") from None
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            made = import_csv(session=session, text=text, now=datetime.now(UTC))
        except ImportRefused as refused:
            for error in refused.errors:
                typer.echo(f"{file}: {error}", err=True)
            raise _fail(f"{refused}; fix the lines above and import the file again") from None
        session.commit()
    typer.echo(f"imported {len(made)} engineer(s) from {file}")


def _skill(text: str) -> dict[str, object]:
    parts = text.split(":")
    if len(parts) != 3 or not parts[2].isdecimal():
        raise typer.BadParameter(f"{text!r}: write asset_type:fault_code:level, e.g. pump:*:2")
    return {"asset_type": parts[0], "fault_code": parts[1], "level": int(parts[2])}


@engineers_app.command("create")
def create(
    ctx: typer.Context,
    code: str = typer.Option(..., help="Short handle, written as the work order's assignee."),
    name: str = typer.Option(..., help="Full name."),
    level: str = typer.Option("mid", help="junior, mid or senior."),
    skill: list[str] = typer.Option(
        [], help="asset_type:fault_code:level (repeat; * = any fault)."
    ),
    latitude: float | None = typer.Option(None, help="Home base latitude."),
    longitude: float | None = typer.Option(None, help="Home base longitude."),
    base_label: str | None = typer.Option(None, help="Home base name."),
    time_zone: str = typer.Option("UTC", help="IANA zone of the working hours."),
    max_open_jobs: int = typer.Option(4, help="Capacity: open jobs at most."),
    email: str | None = typer.Option(None),
    phone: str | None = typer.Option(None),
) -> None:
    """Register one engineer (Monday to Friday 08:00-17:00 in their zone; edit through the API)."""
    base = None
    if latitude is not None or longitude is not None:
        base = {"label": base_label, "latitude": latitude, "longitude": longitude}
    try:
        data = EngineerCreate.model_validate(
            {
                "code": code,
                "name": name,
                "level": level,
                "skills": [_skill(s) for s in skill],
                "base": base,
                "time_zone": time_zone,
                "max_open_jobs": max_open_jobs,
                "email": email,
                "phone": phone,
            }
        )
    except ValidationError as error:
        raise _fail(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        ) from None
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            engineer = service.create_engineer(session=session, data=data, now=datetime.now(UTC))
        except WorkOrderError as error:
            raise _fail(str(error)) from None
        session.commit()
        typer.echo(f"created engineer {engineer.id} ({engineer.code})")


@engineers_app.command("list")
def list_(
    ctx: typer.Context,
    include_inactive: bool = typer.Option(False, "--all", help="Retired engineers too."),
) -> None:
    """Engineers with their level, skills, base and load."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        engineers = service.list_engineers(session=session, include_inactive=include_inactive)
        loads = service.open_jobs(session=session)
        table = Table("id", "code", "name", "level", "skills", "base", "open jobs")
        for e in engineers:
            table.add_row(
                str(e.id),
                e.code,
                e.name,
                e.level.value,
                ", ".join(f"{s.asset_type}/{s.fault_code}:{s.level}" for s in e.skills),
                e.base_label
                or (
                    "-"
                    if e.base_latitude is None
                    else f"{e.base_latitude:.3f},{e.base_longitude:.3f}"
                ),
                f"{loads.get(e.id, 0)}/{e.max_open_jobs}",
            )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(engineers_app, name="engineers")
