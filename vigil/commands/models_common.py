"""What the `vigil models` commands share: errors as exit code 2, the registry, times, the
labels from work orders, the sites' time zones, and the store with a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import typer
from rich.progress import Progress

from ingest.store.base import TelemetryStore
from models.labels import LabelError, LabelSource, parse_time
from models.registry import Registry
from vigil.settings import Settings

T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    typer.echo(f"vigil: {message}", err=True)
    return typer.Exit(2)


def open_registry(settings: Settings) -> Registry:
    return Registry(settings.data_dir / "models")


def cli_time(value: str, option: str) -> datetime:
    try:
        return parse_time(value, where=option)
    except LabelError as error:
        raise fail(str(error)) from None


def work_order_labels(settings: Settings) -> LabelSource | None:
    """Labels from resolved work orders, when the work-order database exists."""
    import sqlalchemy as sa

    from workorders.db import make_engine, session_factory
    from workorders.labels import WorkOrderLabels

    engine = make_engine(settings.resolved_database_url)
    try:
        if not sa.inspect(engine).has_table("work_orders"):
            return None
    except sa.exc.SQLAlchemyError:
        return None
    return WorkOrderLabels(session_factory(engine))


def site_zones(settings: Settings) -> dict[str, str]:
    """Each site's time zone by its code, when the customer database has sites: the models take
    hour of day and weekend in local time (UTC for a site not found)."""
    import sqlalchemy as sa

    from customers.sites import list_sites
    from workorders.db import make_engine, session_factory

    engine = make_engine(settings.resolved_database_url)
    try:
        if not sa.inspect(engine).has_table("sites"):
            return {}
        with session_factory(engine)() as session:
            return {site.code: site.timezone for site in list_sites(session=session)}
    except sa.exc.SQLAlchemyError:
        return {}


def over_store(
    settings: Settings,
    quiet: bool,
    work: Callable[[TelemetryStore, Callable[[int, int], None]], T],
) -> T:
    """Run ``work`` with the configured store and a progress bar over its chunks; a ValueError
    (no data, bad range) becomes a clear message and exit code 2."""
    from vigil.wiring import build_store

    store = build_store(settings)
    try:
        with Progress(transient=True, disable=quiet) as progress:
            task = progress.add_task("reading telemetry", total=None)
            return work(
                store, lambda done, total: progress.update(task, completed=done, total=total)
            )
    except ValueError as error:
        raise fail(str(error)) from None
    finally:
        store.close()
