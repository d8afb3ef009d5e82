"""Vigil's settings: environment variables prefixed ``VIGIL_``, optionally a TOML file.

Nothing here runs at import time; ``get_settings()`` builds and caches the one instance. The
settings of each domain (gateways, telemetry, fieldwork, tickets, mail, reporting) are declared, checked
and documented in their own module; ``Settings`` is all of them in one flat namespace, so each
keeps its plain ``VIGIL_<NAME>`` variable.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from vigil.settings.fieldwork import FieldSettings
from vigil.settings.gateways import GatewaySettings
from vigil.settings.mail import MailSettings, split_addresses, staff_addresses
from vigil.settings.reporting import ReportSettings
from vigil.settings.telemetry import TelemetrySettings
from vigil.settings.tickets import TicketSettings

__all__ = [
    "Settings",
    "SettingsError",
    "describe_validation_error",
    "get_settings",
    "load_settings",
    "split_addresses",
    "staff_addresses",
]


# Pydantic takes the fields of the last base first: listed so, they keep the order of the groups
# above (gateways first, reports last), then the fields of the process below.
class Settings(
    ReportSettings,
    MailSettings,
    TicketSettings,
    FieldSettings,
    TelemetrySettings,
    GatewaySettings,
    BaseSettings,
):
    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="forbid", validate_default=True)

    # Set by `vigil demo` only: allows the embedded defaults and demo keys that production refuses.
    demo: bool = False
    data_dir: Path = Path("var")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- work-order database ---
    database_url: str | None = None

    # --- API ---
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=0, le=65535)  # 0: any free port
    session_secret: str | None = None

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        # Child processes (the demo's broker) run in other working directories: a relative
        # data dir would point somewhere else for them.
        return value.expanduser().resolve()

    @field_validator("session_secret")
    @classmethod
    def _session_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("must be at least 32 characters of random data")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vigil.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if _config_file is not None:
            # The environment wins over the file, so one file can serve several replicas.
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=_config_file))
        return tuple(sources)


_config_file: Path | None = None


class SettingsError(Exception):
    """A setting has a wrong value; the message names it and says what is expected."""


def describe_validation_error(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "settings"
        env = f"VIGIL_{name.upper()}" if item["loc"] else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{env}: {message}")
    return "invalid settings:\n  " + "\n  ".join(lines)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (and a TOML file), raising SettingsError when wrong."""
    global _config_file
    if config_file is not None and not config_file.is_file():
        raise SettingsError(f"--config: no such file {config_file}")
    _config_file = config_file
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    finally:
        _config_file = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
