"""The ``vigil`` command line. Each module in ``vigil.commands`` registers its own commands."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
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


# Commands whose name differs from their module's.
_MODULE_OF = {"work-orders": "workorders", "db": "workorders", "assets": "customers"}


def _register_commands(argv: list[str]) -> None:
    """Import only the module of the command being run, all of them for help or when unknown.

    `vigil ingest` then never imports scikit-learn or FastAPI: the collector's memory stays that
    of what it uses.
    """
    names = {module.name for module in pkgutil.iter_modules(commands.__path__)}
    words = [
        word
        for i, word in enumerate(argv)
        if not word.startswith("-") and (i == 0 or argv[i - 1] != "--config")
    ]
    wanted = _MODULE_OF.get(words[0], words[0].replace("-", "_")) if words else None
    modules = [wanted] if wanted in names else sorted(names)
    for name in modules:
        loaded = importlib.import_module(f"{commands.__name__}.{name}")
        # A module without register() is a sub-command group another command adds (rul, in
        # models), not a command of its own.
        register = getattr(loaded, "register", None)
        if register is not None:
            register(app)


def main() -> None:
    _register_commands(sys.argv[1:])
    app()
