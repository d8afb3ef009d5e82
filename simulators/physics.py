"""Shared physics of the fleet: weather, usage profiles, thermal lag, motor electrics.

Every function works on whole arrays of timestamps (epoch seconds) so a block of readings costs a
few numpy calls. Anything with memory (thermal lag, weather) keeps its state in a dict the caller
carries from one block to the next, so the result does not depend on how time is cut into blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.signal import lfilter

Array = np.ndarray[Any, np.dtype[np.float64]]

DAY_S = 86_400.0
SQRT3 = 3**0.5
# ISO 10816-3: the zone C/D boundary for medium machines on rigid foundations. A vibration
# RMS velocity above it is "sufficient to cause damage": the functional-failure level here.
VIBRATION_FAILURE_MM_S = 7.1


@dataclass
class Effects:
    """What active faults do to an asset, one value (or array) per reading; neutral by default."""

    vib_add: Array | float = 0.0  # mm/s at rated speed, added to the healthy RMS
    vib_add_speed_exp: float = 1.0  # how the added vibration scales with speed ratio
    vib_noise: Array | float = 0.0  # extra broadband randomness, mm/s (cavitation, looseness)
    spike_prob: Array | float = 0.0  # chance per reading of an impulsive event (bearing defects)
    heat_at_full_load: Array | float = 0.0  # °C added at 100 % load, scaled by load (cooling loss)
    heat: Array | float = 0.0  # °C added regardless of load (friction, winding hot spot)
    power_mult: Array | float = 1.0  # more power for the same work (efficiency loss)
    asym: Array | float = 0.0  # phase current unbalance, fraction
    refrigerant_loss: Array | float = 0.0  # 0..1 (chillers)
    cavitation: Array | float = 0.0  # 0..1 (pumps)
    notes: list[str] = field(default_factory=list)


def hour_of_day(t: Array, utc_offset_h: float) -> Array:
    result: Array = ((t / 3600.0) + utc_offset_h) % 24.0
    return result


def is_weekday(t: Array, utc_offset_h: float) -> np.ndarray[Any, np.dtype[np.bool_]]:
    # 1970-01-01 was a Thursday: day 0 -> weekday index 3 (Monday = 0).
    days = np.floor((t / 3600.0 + utc_offset_h) / 24.0)
    result: np.ndarray[Any, np.dtype[np.bool_]] = ((days + 3) % 7) < 5
    return result


def ar1(
    rng: np.random.Generator,
    n: int,
    *,
    dt: float,
    tau_s: float,
    sigma: float,
    state: dict[str, Any],
    key: str,
) -> Array:
    """Slowly wandering noise (weather, process drift) with correlation time ``tau_s``."""
    a = float(np.exp(-dt / tau_s))
    shocks = rng.normal(0.0, sigma * np.sqrt(1 - a * a), n)
    zi = state.get(key)
    if zi is None:
        zi = np.array([a * rng.normal(0.0, sigma)])
    out, state[key] = lfilter([1.0], [1.0, -a], shocks, zi=zi)
    result: Array = out
    return result


def lag(x: Array, *, dt: float, tau_s: float, state: dict[str, Any], key: str) -> Array:
    """First-order thermal lag: the output follows ``x`` with time constant ``tau_s``."""
    k = 1.0 - float(np.exp(-dt / tau_s))
    zi = state.get(key)
    if zi is None:
        zi = np.array([(1.0 - k) * x[0]])
    out, state[key] = lfilter([k], [1.0, -(1.0 - k)], x, zi=zi)
    result: Array = out
    return result


def ambient(
    t: Array,
    *,
    rng: np.random.Generator,
    dt: float,
    climate: dict[str, float],
    state: dict[str, Any],
) -> Array:
    """Outdoor temperature: seasonal and daily cycles plus weather that wanders for hours."""
    day_of_year = (t / DAY_S) % 365.25
    hour = hour_of_day(t, climate["utc_offset_h"])
    seasonal = climate["seasonal_amplitude"] * np.sin(2 * np.pi * (day_of_year - 110.0) / 365.25)
    daily = climate["daily_amplitude"] * np.sin(2 * np.pi * (hour - 9.0) / 24.0)
    weather = ar1(rng, len(t), dt=dt, tau_s=8 * 3600.0, sigma=2.5, state=state, key="weather")
    result: Array = climate["mean"] + seasonal + daily + weather
    return result


def peaks(hour: Array, centres: list[tuple[float, float, float]]) -> Array:
    """Sum of Gaussian bumps (centre hour, width h, height) over the day."""
    total = np.zeros_like(hour)
    for centre, width, height in centres:
        total += height * np.exp(-(((hour - centre) / width) ** 2))
    return total


def phase_currents(
    power_kw: Array,
    *,
    volts: float,
    power_factor: float,
    asym: Array | float,
    rng: np.random.Generator,
) -> dict[str, Array]:
    """Mean and per-phase current of a three-phase motor; ``asym`` unbalances the phases.

    A healthy motor's phases differ by a fraction of a percent (measurement and supply).
    """
    current = power_kw * 1000.0 / (SQRT3 * volts * power_factor)
    n = len(current)
    l1 = current * (1.0 + asym + rng.normal(0.0, 0.004, n))
    l2 = current * (1.0 - 0.4 * asym + rng.normal(0.0, 0.004, n))
    l3 = current * (1.0 - 0.6 * asym + rng.normal(0.0, 0.004, n))
    return {"current": (l1 + l2 + l3) / 3.0, "current_l1": l1, "current_l2": l2, "current_l3": l3}


def vibration(
    *,
    rng: np.random.Generator,
    base: float,
    speed_ratio: Array | float,
    effects: Effects,
    n: int,
    crest: float = 1.6,
) -> tuple[Array, Array]:
    """RMS and peak velocity (mm/s): healthy level scales with speed, faults add on top.

    Impulsive bearing events barely move the RMS but multiply the peak (crest factor), which
    is why early bearing damage shows in ``vibration_peak`` before the RMS trend rises.
    """
    speed = np.asarray(speed_ratio, dtype=float)
    healthy = base * np.power(np.maximum(speed, 0.0), 1.5)
    added = np.asarray(effects.vib_add) * np.power(
        np.maximum(speed, 0.0), effects.vib_add_speed_exp
    )
    noise = rng.normal(0.0, 0.04, n) * (base + added) + rng.normal(0.0, 1.0, n) * effects.vib_noise
    rms = np.maximum(healthy + added + noise, 0.02)
    spikes = rng.random(n) < effects.spike_prob
    spike_size = rng.uniform(2.5, 6.0, n)
    peak = rms * (crest + rng.normal(0.0, 0.08, n)) * np.where(spikes, spike_size, 1.0)
    rms = rms * np.where(spikes, 1.0 + 0.08 * spike_size, 1.0)
    return rms, peak
