"""Scenario files (TOML): sites, assets, faults and data-quality episodes over a time span.

Times inside a scenario are offsets from its start (``onset = "3d 4h"``), so one file serves a
fixed historical run (``start = "2026-10-01T00:00:00Z"``) and a run that ends now. Every error
names the file, the entry and the key, and says what was expected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from simulators.equipment import ASSET_MODELS
from simulators.faults import FAULT_MODES
from simulators.quality import METRIC_KINDS, QUALITY_KINDS
from simulators.scenario_toml import ScenarioError as ScenarioError
from simulators.scenario_toml import Table, array_of_tables
from simulators.timeutil import parse_duration, parse_time

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULT_CLIMATE = {
    "mean": 12.0,
    "seasonal_amplitude": 9.0,
    "daily_amplitude": 5.0,
    "utc_offset_h": 0.0,
}


@dataclass(frozen=True)
class SiteSpec:
    id: str
    climate: dict[str, float]


@dataclass(frozen=True)
class AssetSpec:
    id: str
    site: str
    asset_type: str


@dataclass(frozen=True)
class FaultSpec:
    asset: str
    mode: str
    onset_s: float  # from the scenario start
    time_to_failure_s: float
    severity: float


@dataclass(frozen=True)
class QualitySpec:
    asset: str
    kind: str
    start_s: float
    duration_s: float
    metric: str | None = None
    magnitude: float | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    duration_s: float
    interval_s: float
    seed: int
    sites: tuple[SiteSpec, ...]
    assets: tuple[AssetSpec, ...]
    faults: tuple[FaultSpec, ...] = ()
    quality: tuple[QualitySpec, ...] = ()
    start: datetime | None = None
    description: str = ""
    gateway_buffer: int = 360  # readings a gateway keeps while its broker is unreachable
    gateway_username: str | None = None  # templates with {site} and {asset}
    gateway_password: str | None = None
    site_by_id: dict[str, SiteSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.site_by_id.update({site.id: site for site in self.sites})

    def asset(self, asset_id: str) -> AssetSpec:
        for asset in self.assets:
            if asset.id == asset_id:
                return asset
        raise KeyError(asset_id)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, or a shipped one by name (``demo``, ``fleet-30d``)."""
    file = Path(path)
    if not file.exists() and (SCENARIO_DIR / f"{path}.toml").exists():
        file = SCENARIO_DIR / f"{path}.toml"
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        shipped = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.toml")))
        raise ScenarioError(
            f"scenario {path}: no such file (shipped scenarios: {shipped})"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ScenarioError(f"scenario {file}: not valid TOML: {error}") from None
    try:
        return parse_scenario(raw, name=file.stem)
    except ScenarioError as error:
        raise ScenarioError(f"scenario {file}: {error}") from None


def parse_scenario(raw: dict[str, Any], *, name: str = "scenario") -> Scenario:
    top = Table(
        raw,
        "scenario",
        {
            "name",
            "description",
            "seed",
            "start",
            "duration",
            "reading_interval",
            "gateway",
            "sites",
            "assets",
            "fleets",
            "faults",
            "data_quality",
            "random_faults",
            "random_data_quality",
        },
    )
    duration = top.duration("duration")
    interval = top.duration("reading_interval", "60s")
    if interval < 0.001 or duration < interval:
        raise top.fail("reading_interval", "must be at least 1ms and no longer than duration")
    start = None
    if "start" in raw:
        try:
            start = parse_time(top.text("start"), what="scenario.start")
        except ValueError as error:
            raise ScenarioError(str(error)) from None
    gateway = Table(raw.get("gateway", {}), "gateway", {"buffer", "username", "password"})
    sites = _sites(raw.get("sites", []))
    assets = _assets(raw, {site.id for site in sites})
    faults = _faults(raw.get("faults", []), assets, duration)
    quality = _quality(raw.get("data_quality", []), assets, duration)
    seed = int(top.number("seed", 1, 0, 2**63 - 1))
    rng = np.random.default_rng([seed, 0xFA17])
    if "random_faults" in raw:
        faults += _random_faults(
            Table(
                raw["random_faults"],
                "random_faults",
                {"count", "modes", "onset_after", "time_to_failure", "severity"},
            ),
            assets,
            faults,
            duration,
            rng,
        )
    if "random_data_quality" in raw:
        quality += _random_quality(
            Table(
                raw["random_data_quality"],
                "random_data_quality",
                {"count", "kinds", "duration", "start_after"},
            ),
            assets,
            duration,
            rng,
        )
    return Scenario(
        name=top.text("name", name),
        description=top.text("description", ""),
        duration_s=duration,
        interval_s=interval,
        seed=seed,
        sites=tuple(sites),
        assets=tuple(assets),
        faults=tuple(faults),
        quality=tuple(quality),
        start=start,
        gateway_buffer=int(gateway.number("buffer", 360, 0, 10_000_000)),
        gateway_username=gateway.raw.get("username"),
        gateway_password=gateway.raw.get("password"),
    )


def _sites(raw: object) -> list[SiteSpec]:
    sites = []
    for i, item in enumerate(array_of_tables(raw, "sites")):
        table = Table(item, f"sites[{i}]", {"id", "climate"})
        climate_table = Table(
            table.raw.get("climate", {}), f"sites[{i}].climate", set(DEFAULT_CLIMATE)
        )
        climate = {
            key: climate_table.number(key, default, -100.0, 100.0)
            for key, default in DEFAULT_CLIMATE.items()
        }
        sites.append(SiteSpec(table.ident("id"), climate))
    if not sites:
        raise ScenarioError("sites: at least one [[sites]] entry is required")
    if len({s.id for s in sites}) != len(sites):
        raise ScenarioError("sites: site ids must be unique")
    return sites


def _asset_type(table: Table) -> str:
    kind = table.text("type")
    if kind not in ASSET_MODELS:
        raise table.fail("type", f"unknown asset type {kind!r} (known: {', '.join(ASSET_MODELS)})")
    return kind


def _assets(raw: dict[str, Any], site_ids: set[str]) -> list[AssetSpec]:
    assets: list[AssetSpec] = []
    for i, item in enumerate(array_of_tables(raw.get("assets", []), "assets")):
        table = Table(item, f"assets[{i}]", {"id", "site", "type"})
        assets.append(AssetSpec(table.ident("id"), table.ident("site"), _asset_type(table)))
    for i, item in enumerate(array_of_tables(raw.get("fleets", []), "fleets")):
        table = Table(item, f"fleets[{i}]", {"site", "type", "count", "prefix"})
        site, kind = table.ident("site"), _asset_type(table)
        prefix = table.ident("prefix") if "prefix" in table.raw else f"{site}-{kind}"
        count = int(table.number("count", 1, 1, 100_000))
        assets += [AssetSpec(f"{prefix}-{n:03d}", site, kind) for n in range(1, count + 1)]
    if not assets:
        raise ScenarioError("assets: at least one [[assets]] or [[fleets]] entry is required")
    seen: set[str] = set()
    for asset in assets:
        if asset.site not in site_ids:
            raise ScenarioError(f"asset {asset.id}: site {asset.site!r} is not in [[sites]]")
        if asset.id in seen:
            raise ScenarioError(f"asset {asset.id}: defined twice (asset ids must be unique)")
        seen.add(asset.id)
    return assets


def _find(assets: list[AssetSpec], table: Table) -> AssetSpec:
    wanted = table.text("asset")
    for asset in assets:
        if asset.id == wanted:
            return asset
    raise table.fail("asset", f"no asset {wanted!r} in this scenario")


def _faults(raw: object, assets: list[AssetSpec], duration: float) -> list[FaultSpec]:
    faults = []
    for i, item in enumerate(array_of_tables(raw, "faults")):
        table = Table(
            item, f"faults[{i}]", {"asset", "mode", "onset", "time_to_failure", "severity"}
        )
        asset = _find(assets, table)
        mode = table.text("mode")
        modes = ASSET_MODELS[asset.asset_type].fault_modes
        if mode not in modes:
            problem = "is not a fault mode" if mode not in FAULT_MODES else "cannot happen to"
            raise table.fail(
                "mode",
                f"{mode!r} {problem} a {asset.asset_type} (possible: {', '.join(sorted(modes))})",
            )
        onset, ttf = table.duration("onset"), table.duration("time_to_failure")
        if onset >= duration or ttf <= 0:
            raise table.fail("onset", "onset must lie inside the scenario and time_to_failure > 0")
        faults.append(
            FaultSpec(asset.id, mode, onset, ttf, table.number("severity", 1.0, 0.01, 1.0))
        )
    return faults


def _quality(raw: object, assets: list[AssetSpec], duration: float) -> list[QualitySpec]:
    episodes = []
    for i, item in enumerate(array_of_tables(raw, "data_quality")):
        table = Table(
            item,
            f"data_quality[{i}]",
            {"asset", "kind", "start", "duration", "metric", "magnitude"},
        )
        asset = _find(assets, table)
        kind = table.text("kind")
        if kind not in QUALITY_KINDS:
            raise table.fail("kind", f"unknown kind {kind!r} (known: {', '.join(QUALITY_KINDS)})")
        metric = None
        if kind in METRIC_KINDS:
            metrics = ASSET_MODELS[asset.asset_type].metrics
            metric = table.text("metric", default_metric(metrics))
            if metric not in metrics:
                raise table.fail(
                    "metric",
                    f"a {asset.asset_type} has no metric {metric!r} (it has: {', '.join(metrics)})",
                )
        magnitude = table.raw.get("magnitude")
        if magnitude is not None:
            magnitude = table.number("magnitude", 0.0, -1e6, 1e6)
        start = table.duration("start")
        if start >= duration:
            raise table.fail("start", "must lie inside the scenario")
        episodes.append(
            QualitySpec(asset.id, kind, start, table.duration("duration"), metric, magnitude)
        )
    return episodes


def default_metric(metrics: tuple[str, ...]) -> str:
    """The metric a sensor episode hits when none is named: the asset's first temperature."""
    return next((m for m in metrics if m.endswith("temperature")), metrics[0])


def _random_faults(
    table: Table,
    assets: list[AssetSpec],
    fixed: list[FaultSpec],
    duration: float,
    rng: np.random.Generator,
) -> list[FaultSpec]:
    """Faults drawn with the scenario seed, modes in turn so every mode is represented."""
    count = int(table.number("count", 10, 0, 1_000_000))
    modes = table.choices("modes", FAULT_MODES)
    onset_after = table.duration("onset_after", "0s")
    low, high = (
        parse_duration(v, what=f"{table.where}.time_to_failure")
        for v in table.range("time_to_failure", ["12h", "7d"])
    )
    sev_low, sev_high = (float(v) for v in table.range("severity", [0.7, 1.0]))
    free = [a for a in assets if a.id not in {f.asset for f in fixed}]
    faults: list[FaultSpec] = []
    for n in range(count):
        mode = modes[n % len(modes)]
        candidates = [a for a in free if mode in ASSET_MODELS[a.asset_type].fault_modes]
        if not candidates:
            continue
        asset = candidates[int(rng.integers(len(candidates)))]
        free.remove(asset)
        ttf = float(rng.uniform(low, high))
        # Most faults reach failure inside the scenario; some are still developing at its end.
        latest = max(onset_after, duration - 0.6 * ttf)
        onset = float(rng.uniform(onset_after, latest))
        faults.append(
            FaultSpec(
                asset.id,
                mode,
                round(onset),
                round(ttf),
                round(float(rng.uniform(sev_low, sev_high)), 2),
            )
        )
    return faults


def _random_quality(
    table: Table, assets: list[AssetSpec], duration: float, rng: np.random.Generator
) -> list[QualitySpec]:
    count = int(table.number("count", 10, 0, 1_000_000))
    kinds = table.choices("kinds", QUALITY_KINDS)
    start_after = table.duration("start_after", "0s")
    low, high = (
        parse_duration(v, what=f"{table.where}.duration")
        for v in table.range("duration", ["10m", "6h"])
    )
    episodes = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        asset = assets[int(rng.integers(len(assets)))]
        length = float(rng.uniform(low, high))
        start = float(rng.uniform(start_after, max(start_after, duration - length)))
        metric = None
        if kind in METRIC_KINDS:
            metrics = [
                m
                for m in ASSET_MODELS[asset.asset_type].metrics
                if m not in ("energy", "operating_hours", "trips")
            ]
            metric = metrics[int(rng.integers(len(metrics)))]
        episodes.append(QualitySpec(asset.id, kind, round(start), round(length), metric))
    return episodes


def healthy_fleet(
    *, assets: int, interval_s: float, duration_s: float, sites: int = 5, seed: int = 1
) -> Scenario:
    """A fault-free mixed fleet: what runs when no scenario file is given."""
    if assets < 1 or sites < 1:
        raise ScenarioError("assets and sites must be >= 1")
    kinds = tuple(ASSET_MODELS)
    site_specs = tuple(SiteSpec(f"s{i + 1:02d}", dict(DEFAULT_CLIMATE)) for i in range(sites))
    asset_specs = tuple(
        AssetSpec(f"a{i + 1:04d}", site_specs[i % sites].id, kinds[i % len(kinds)])
        for i in range(assets)
    )
    return Scenario(
        name="healthy-fleet",
        duration_s=duration_s,
        interval_s=interval_s,
        seed=seed,
        sites=site_specs,
        assets=asset_specs,
    )
