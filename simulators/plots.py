"""Plots of the fleet for docs/simulators.md: a healthy week per asset type, each fault mode's
progression against a healthy twin with the same noise, and the data-quality episodes.

    python -m simulators.plots [--out docs/img/simulators] [--seed 3]

A development-time script: matplotlib is imported here only (``pip install matplotlib``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulators.fleet import asset_frame, streams
from simulators.physics import VIBRATION_FAILURE_MM_S
from simulators.scenario import Scenario, parse_scenario

START = pd.Timestamp("2026-10-05T00:00:00Z")  # a Monday
DAY = 86_400.0
Series = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Panel:
    label: str
    series: Series
    level: float | None = None  # a horizontal failure level to draw


def col(name: str) -> Series:
    return lambda frame: frame[name]


def unbalance(frame: pd.DataFrame) -> pd.Series:
    phases = frame[["current_l1", "current_l2", "current_l3"]]
    return 100 * (phases.max(axis=1) - phases.min(axis=1)) / phases.mean(axis=1)


def ratio(numerator: str, denominator: str) -> Series:
    return lambda frame: frame[numerator] / frame[denominator].where(frame[denominator] > 0)


# mode -> (asset type, title, panels)
FAULT_PLOTS: dict[str, tuple[str, str, list[Panel]]] = {
    "bearing_wear": (
        "elevator",
        "Bearing wear (elevator motor)",
        [
            Panel("vibration RMS (mm/s)", col("vibration_rms"), VIBRATION_FAILURE_MM_S),
            Panel("vibration peak (mm/s)", col("vibration_peak")),
            Panel("motor temperature (°C)", col("temperature")),
        ],
    ),
    "imbalance": (
        "pump",
        "Imbalance (pump impeller)",
        [
            Panel("vibration RMS (mm/s)", col("vibration_rms"), VIBRATION_FAILURE_MM_S),
            Panel("speed (rpm)", col("speed")),
            Panel("bearing temperature (°C)", col("bearing_temperature")),
        ],
    ),
    "misalignment": (
        "pump",
        "Misalignment (pump coupling)",
        [
            Panel("vibration RMS (mm/s)", col("vibration_rms"), VIBRATION_FAILURE_MM_S),
            Panel("bearing temperature (°C)", col("bearing_temperature")),
            Panel("power (kW)", col("power")),
        ],
    ),
    "overheating": (
        "air_compressor",
        "Cooling failure (air compressor oil cooler)",
        [
            Panel("discharge temperature (°C)", col("discharge_temperature")),
            Panel("oil temperature (°C)", col("oil_temperature")),
            Panel("load (%)", col("load")),
        ],
    ),
    "energy_drift": (
        "air_compressor",
        "Efficiency loss (air compressor)",
        [
            Panel("power (kW)", col("power")),
            Panel("specific power (kW per m³/h)", ratio("power", "flow")),
            Panel("flow (m³/h)", col("flow")),
        ],
    ),
    "refrigerant_leak": (
        "chiller",
        "Refrigerant leak (chiller)",
        [
            Panel("COP (cooling kW / electrical kW)", ratio("cooling_output", "power")),
            Panel("discharge temperature (°C)", col("discharge_temperature")),
            Panel("load (%)", col("load")),
        ],
    ),
    "cavitation": (
        "pump",
        "Cavitation (pump)",
        [
            Panel("flow (m³/h)", col("flow")),
            Panel("pressure (bar)", col("pressure")),
            Panel("vibration RMS (mm/s)", col("vibration_rms")),
        ],
    ),
    "winding_fault": (
        "elevator",
        "Winding fault (elevator motor)",
        [
            Panel("phase current unbalance (%)", unbalance),
            Panel("motor temperature (°C)", col("temperature")),
            Panel("current (A)", col("current")),
        ],
    ),
}
HEALTHY_PANELS: dict[str, list[str]] = {
    "elevator": ["trips", "power", "temperature", "vibration_rms"],
    "chiller": ["ambient_temperature", "load", "discharge_temperature", "vibration_rms"],
    "pump": ["flow", "pressure", "bearing_temperature", "vibration_rms"],
    "air_compressor": ["load", "power", "discharge_temperature", "vibration_rms"],
}
# kind -> (asset type, metric shown, extra keys)
QUALITY_PLOTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "stuck": ("pump", "bearing_temperature", {"metric": "bearing_temperature"}),
    "dropout": ("pump", "flow", {}),
    "spikes": ("chiller", "discharge_temperature", {"metric": "discharge_temperature"}),
    "drift": ("air_compressor", "oil_temperature", {"metric": "oil_temperature", "magnitude": 0.2}),
    "gateway_offline": ("elevator", "temperature", {}),
    "clock_skew": ("pump", "flow", {}),
}


def scenario(
    asset_type: str,
    *,
    days: float,
    faults: list[dict[str, Any]] | None = None,
    quality: list[dict[str, Any]] | None = None,
    interval: str = "60s",
) -> Scenario:
    return parse_scenario(
        {
            "duration": f"{days}d",
            "reading_interval": interval,
            "start": START.isoformat(),
            "gateway": {"buffer": 30},
            "sites": [{"id": "plant", "climate": {"mean": 16.0, "utc_offset_h": 1.0}}],
            "assets": [{"id": "x", "site": "plant", "type": asset_type}],
            "faults": [{"asset": "x", **f} for f in faults or []],
            "data_quality": [{"asset": "x", **q} for q in quality or []],
        }
    )


def run(scenario_: Scenario, seed: int) -> pd.DataFrame:
    (stream,) = streams(scenario_, seed=seed, start_s=START.timestamp())
    return asset_frame(stream)


def plot_faults(out: Path, seed: int) -> list[Path]:
    import matplotlib.pyplot as plt

    written = []
    onset, ttf = 2.0, 5.0
    for mode, (asset_type, title, panels) in FAULT_PLOTS.items():
        fault = {"mode": mode, "onset": f"{onset}d", "time_to_failure": f"{ttf}d"}
        healthy = run(scenario(asset_type, days=8), seed)
        faulty = run(scenario(asset_type, days=8, faults=[fault]), seed)
        fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.3 * len(panels)), sharex=True)
        for ax, panel in zip(axes, panels, strict=True):
            for frame, colour, name in (
                (healthy, "0.6", "healthy twin"),
                (faulty, "tab:blue", mode.replace("_", " ")),
            ):
                values = panel.series(frame)
                ax.plot(values.index, values, color=colour, lw=0.4, alpha=0.45)
                ax.plot(
                    values.index,
                    values.rolling("2h").median(),
                    color=colour,
                    lw=1.6,
                    label=f"{name} (2 h median)",
                )
            if panel.level is not None:
                ax.axhline(
                    panel.level,
                    color="tab:red",
                    lw=0.8,
                    ls=":",
                    label=f"failure level {panel.level} mm/s (ISO 10816 zone D)",
                )
            ax.set_ylabel(panel.label, fontsize=8)
            ax.tick_params(labelsize=8)
            for at, colour in ((onset, "tab:orange"), (onset + ttf, "tab:red")):
                ax.axvline(START + pd.Timedelta(days=at), color=colour, lw=1, ls="--")
        axes[0].legend(fontsize=7, loc="upper left")
        axes[0].set_title(
            f"{title}: onset (orange) day {onset:g}, failure (red) day {onset + ttf:g}", fontsize=10
        )
        written.append(_save(fig, out / f"{mode}.png"))
    return written


def plot_healthy(out: Path, seed: int) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 4, figsize=(14, 9), sharex=True)
    for row, (asset_type, metrics) in zip(axes, HEALTHY_PANELS.items(), strict=True):
        frame = run(scenario(asset_type, days=7), seed)
        for ax, metric in zip(row, metrics, strict=True):
            ax.plot(frame.index, frame[metric], lw=0.4, color="tab:green")
            ax.set_title(f"{asset_type}: {metric}", fontsize=9)
            ax.tick_params(labelsize=7)
            ax.tick_params(axis="x", rotation=30)
    fig.suptitle("Healthy assets over one week (Monday to Sunday, one reading a minute)")
    return _save(fig, out / "healthy.png")


def plot_quality(out: Path, seed: int) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 2, figsize=(12, 8))
    for ax, (kind, (asset_type, metric, extra)) in zip(
        axes.flat, QUALITY_PLOTS.items(), strict=True
    ):
        episode = {"kind": kind, "start": "1d4h", "duration": "3h", **extra}
        clean = run(scenario(asset_type, days=2, interval="30s"), seed)
        dirty = run(scenario(asset_type, days=2, interval="30s", quality=[episode]), seed)
        window = slice(START + pd.Timedelta(hours=26), START + pd.Timedelta(hours=34))
        ax.plot(clean[metric][window], color="0.6", lw=0.8, label="true value")
        ax.plot(dirty[metric][window], ".", color="tab:purple", ms=1.5, label="published")
        ax.axvspan(
            START + pd.Timedelta(hours=28),
            START + pd.Timedelta(hours=31),
            color="tab:orange",
            alpha=0.12,
            label="episode",
        )
        ax.set_title(f"{kind.replace('_', ' ')}: {asset_type} {metric}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", rotation=20)
    axes[0, 0].legend(fontsize=7, markerscale=5)
    fig.suptitle("Data-quality episodes (not equipment faults)")
    return _save(fig, out / "data_quality.png")


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/img/simulators"))
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("plots need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg")
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [
        plot_healthy(args.out, args.seed),
        *plot_faults(args.out, args.seed),
        plot_quality(args.out, args.seed),
    ]
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
