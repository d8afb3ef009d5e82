"""Reading a scenario's TOML tables: typed, bounded getters whose errors name the entry and
the key and say what was expected (``simulators.scenario`` builds the scenario from them)."""

from __future__ import annotations

from typing import Any

from simulators.timeutil import parse_duration

ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


class ScenarioError(ValueError):
    """A scenario file is wrong; the message says where and what is expected."""


class Table:
    """One TOML table being read: typed getters whose errors say where the problem is."""

    def __init__(self, raw: object, where: str, allowed: set[str]) -> None:
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: expected a table, got {type(raw).__name__}")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise ScenarioError(
                f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
            )
        self.raw: dict[str, Any] = raw
        self.where = where

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.where}.{key}: {message}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, "required" if value is None else f"expected text, got {value!r}")
        return value

    def ident(self, key: str) -> str:
        value = self.text(key)
        if not value or not set(value) <= ID_CHARS:
            raise self.fail(key, f"expected letters, digits, '_' or '-', got {value!r}")
        return value

    def duration(self, key: str, default: str | None = None) -> float:
        value = self.raw.get(key, default)
        if value is None:
            raise self.fail(key, "required (a duration like '90s', '1h30m' or '3d')")
        try:
            return parse_duration(value, what=f"{self.where}.{key}")
        except ValueError as error:
            raise ScenarioError(str(error)) from None

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.raw.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise self.fail(key, f"expected a number in [{low}, {high}], got {value!r}")
        return float(value)

    def range(self, key: str, default: list[Any]) -> tuple[Any, Any]:
        value = self.raw.get(key, default)
        if not isinstance(value, list) or len(value) != 2:
            raise self.fail(key, f"expected [low, high], got {value!r}")
        return value[0], value[1]

    def choices(self, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        value = self.raw.get(key, list(allowed))
        if not isinstance(value, list) or not value or not set(value) <= set(allowed):
            raise self.fail(key, f"expected a list from {', '.join(allowed)}, got {value!r}")
        return tuple(value)


def array_of_tables(raw: object, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise ScenarioError(f"{where}: expected an array of tables ([[{where}]])")
    return raw
