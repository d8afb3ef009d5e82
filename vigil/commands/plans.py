"""``vigil plans list | add | upcoming | occurrences | run | compliance | deactivate``."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from customers.assets import find_asset
from customers.errors import RecordError
from planning import scheduled, service
from planning.compliance import pm_compliance
from planning.models import Anchor, Direction, Trigger, Unit
from planning.readings import store_readings
from planning.schemas import PlanCreate, PlanUpdate
from vigil import db
from vigil.cli import load_cli_settings
from vigil.wiring import build_store
from workorders.models import Priority

plans_app = typer.Typer(help="Preventive maintenance plans.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"vigil plans: {message}", err=True)
    return typer.Exit(2)


def _when(p: PlanCreate) -> str:
    if p.trigger is Trigger.CALENDAR:
        unit = p.unit.value if p.unit else ""
        after = " after completion" if p.anchor is Anchor.COMPLETION else ""
        return f"every {p.every} {unit}{after}"
    if p.trigger is Trigger.RUNNING_HOURS:
        return f"every {p.interval_hours:g} h"
    direction = p.direction.value if p.direction else ""
    return f"{p.metric} {direction} {p.level:g} x{p.for_readings}, clears {p.clear_level:g}"


@plans_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every plan with its trigger, lead time and checklist length."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    table = Table("id", "name", "for", "when", "lead", "steps", "active")
    with sessions() as session:
        for plan in service.list_plans(session=session):
            read = service.plan_read(session=session, plan=plan)
            lead = (
                f"{read.lead_days} d"
                if read.lead_days
                else (f"{read.lead_hours:g} h" if read.lead_hours else "-")
            )
            target = f"asset {read.asset_id}" if read.asset_id else f"every {read.asset_type}"
            table.add_row(str(read.id), read.name, target, _when(read), lead,
                          str(len(read.checklist)), "yes" if read.active else "no")  # fmt: skip
    Console().print(table)


@plans_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Option(..., help="A unique name, e.g. 'Compressor 2000 h service'."),
    trigger: Trigger = typer.Option(..., help="calendar, running_hours or condition."),
    asset: str | None = typer.Option(None, help="One asset (its MQTT name)."),
    site: str | None = typer.Option(None, help="The asset's site, when its name is not unique."),
    asset_type: str | None = typer.Option(None, help="Or every asset of this type."),
    every: int | None = typer.Option(None, help="Calendar: every N units."),
    unit: Unit | None = typer.Option(None, help="Calendar: days or months."),
    anchor: Anchor | None = typer.Option(None, help="Calendar: fixed (default) or completion."),
    start_on: datetime | None = typer.Option(None, formats=["%Y-%m-%d"], help="First due date."),
    lead_days: int | None = typer.Option(None, help="Calendar: open the work N days early."),
    interval_hours: float | None = typer.Option(None, help="Running hours: every N hours."),
    lead_hours: float | None = typer.Option(None, help="Running hours: open N hours early."),
    metric: str | None = typer.Option(None, help="Condition: a metric or score_ratio."),
    direction: Direction | None = typer.Option(None, help="Condition: above or below."),
    level: float | None = typer.Option(None, help="Condition: the level."),
    clear_level: float | None = typer.Option(None, help="Condition: re-arms past this level."),
    for_readings: int | None = typer.Option(None, help="Condition: readings in a row."),
    article: list[int] = typer.Option([], help="A knowledge-base article id (repeatable)."),
    step: list[str] = typer.Option([], help="A checklist step (repeatable)."),
    priority: Priority = typer.Option(Priority.SUGGESTION, help="Of its work orders."),
    grace_days: int = typer.Option(7, help="PM compliance: on time within these days."),
    by: str = typer.Option("cli", help="Who creates it (kept on it)."),
) -> None:
    """Create a plan; prints its id and checklist."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        asset_id = None
        if asset is not None:
            row = find_asset(session=session, asset=asset, site=site)
            if row is None:
                raise _fail(f"unknown asset {asset!r}")
            asset_id = row.id
        try:
            data = PlanCreate(
                name=name, trigger=trigger, asset_id=asset_id, asset_type=asset_type,
                every=every, unit=unit, anchor=anchor,
                start_on=start_on.date() if start_on else None, lead_days=lead_days,
                interval_hours=interval_hours, lead_hours=lead_hours, metric=metric,
                direction=direction, level=level, clear_level=clear_level,
                for_readings=for_readings, article_ids=article, steps=step, priority=priority,
                grace_days=grace_days,
            )  # fmt: skip
            plan = service.create_plan(session=session, data=data, actor=by, now=datetime.now(UTC))
            read = service.plan_read(session=session, plan=plan)
        except (RecordError, ValueError) as error:
            raise _fail(str(error)) from None
        session.commit()
    typer.echo(f"plan {read.id} {read.name!r}: {_when(read)}")
    for number, text in enumerate(read.checklist, 1):
        typer.echo(f"  {number}. {text}")


@plans_app.command("deactivate")
def deactivate(ctx: typer.Context, plan_id: int) -> None:
    """Stop a plan: no more work; its open occurrences no longer count (work orders stay)."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            service.update_plan(session=session, plan_id=plan_id, data=PlanUpdate(active=False),
                                actor="cli", now=datetime.now(UTC))  # fmt: skip
        except RecordError as error:
            raise _fail(str(error)) from None
        session.commit()
    typer.echo(f"plan {plan_id} deactivated")


@plans_app.command("upcoming")
def upcoming(ctx: typer.Context) -> None:
    """Each asset's next due in each active plan, soonest first."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    table = Table("plan", "asset", "next due", "counter", "waiting for")
    with sessions() as session:
        for u in service.upcoming(session=session):
            due = str(u.next_due_on or (f"{u.next_due_hours:.1f} h" if u.next_due_hours else "-"))
            hours = f"{u.run_hours:.1f} h" if u.run_hours is not None else "-"
            table.add_row(u.plan, f"{u.site}/{u.asset}", due, hours, u.waiting_for or "")
    Console().print(table)


@plans_app.command("occurrences")
def occurrences(
    ctx: typer.Context,
    plan_id: int | None = typer.Option(None, "--plan", help="Only this plan."),
    limit: int = typer.Option(50, min=1, max=1000),
) -> None:
    """Occurrences, newest first: due, work order, outcome, status and why."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    table = Table("plan", "asset", "due", "work order", "outcome", "status", "why")
    with sessions() as session:
        try:
            rows = service.list_occurrences(session=session, plan_id=plan_id, limit=limit)
        except RecordError as error:
            raise _fail(str(error)) from None
        for o in rows:
            table.add_row(str(o.plan_id), f"{o.site}/{o.asset}", o.due_key,
                          o.work_order_number or "-", o.outcome.value, o.status.value, o.reason)  # fmt: skip
    Console().print(table)


@plans_app.command("run")
def run(ctx: typer.Context) -> None:
    """One pass of the plan job now (``vigil serve`` runs it every VIGIL_PLANS_POLL_S)."""
    settings = load_cli_settings(ctx)
    sessions = db.open_sessions(settings.resolved_database_url)
    store = build_store(settings)
    try:
        report = scheduled.run(
            session_factory=sessions, read=store_readings(store), now=datetime.now(UTC)
        )
    finally:
        store.close()
    typer.echo(
        f"created {len(report.created)} {' '.join(report.created)}; attached "
        f"{len(report.attached)} {' '.join(report.attached)}; skipped {report.skipped}; "
        f"done {report.done}; failed plans {report.failed or 'none'}"
    )
    if report.failed:
        raise typer.Exit(1)


@plans_app.command("compliance")
def compliance(
    ctx: typer.Context,
    start: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="First day (UTC)."),
    end: datetime = typer.Option(..., formats=["%Y-%m-%d"], help="Day after the last (UTC)."),
) -> None:
    """PM compliance: occurrences due in [start, end) done within their grace."""
    sessions = db.open_sessions(load_cli_settings(ctx).resolved_database_url)
    with sessions() as session:
        try:
            result = pm_compliance(
                session, start.replace(tzinfo=UTC), end.replace(tzinfo=UTC),
                as_of=min(datetime.now(UTC), end.replace(tzinfo=UTC)),
            )  # fmt: skip
        except RecordError as error:
            raise _fail(str(error)) from None
    share = "-" if result.share is None else f"{result.share:.1%}"
    typer.echo(
        f"PM compliance {share}: {result.on_time} of {result.due} on time "
        f"({result.late} late, {result.missed} missed; {result.pending} open within grace)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(plans_app, name="plans")
