"""The ``vigil`` command line. Each module in ``vigil.commands`` registers its own commands."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path

import typer

from vigil import commands
from vigil.settings import Settings, SettingsError, load_settings

app = typer.Typer(
    name="vigil",
    help="Vigil: predictive maintenance from MQTT telemetry to proactive service work orders.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", help="TOML file with settings (environment variables VIGIL_* win)."
    ),
) -> None:
    ctx.obj = {"config": config}


def load_cli_settings(ctx: typer.Context, **overrides: object) -> Settings:
    """Settings for a command, or a clear message and exit code 2 when they are wrong."""
    config = (ctx.find_root().obj or {}).get("config")
    try:
        settings = load_settings(config, **overrides)
    except SettingsError as error:
        typer.echo(f"vigil: {error}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # APScheduler logs every job run at INFO: once a second for webhook delivery.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.root.level))
    return settings


def _register_commands() -> None:
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{commands.__name__}.{module.name}")
        loaded.register(app)


def main() -> None:
    _register_commands()
    app()
