"""What every asset model provides; the registry of asset types lives in ``__init__``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from simulators.physics import Array, Effects


@dataclass
class Block:
    """One block of an asset's life: timestamps (epoch s), interval, RNG, carried state."""

    t: Array
    dt: float
    rng: np.random.Generator
    params: dict[str, float]
    climate: dict[str, float]
    state: dict[str, Any]
    effects: Effects
    # The site's outdoor temperature at each timestamp: one weather for all of a site's assets
    # (``simulators.fleet`` draws it per site), so a cold spell reaches every machine room.
    outdoor: Array

    @property
    def n(self) -> int:
        return len(self.t)

    def noise(self, sigma: float) -> Array:
        result: Array = self.rng.normal(0.0, sigma, self.n)
        return result


class AssetModel(Protocol):
    @property
    def asset_type(self) -> str: ...

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names in the order they are published (canonical names of the contract)."""
        ...

    @property
    def fault_modes(self) -> frozenset[str]: ...

    def draw_params(self, rng: np.random.Generator) -> dict[str, float]:
        """The individual asset's nameplate and condition, drawn once from its seed."""
        ...

    def simulate(self, block: Block) -> dict[str, Array]:
        """Metric arrays for the block's timestamps."""
        ...


def indoor(ambient: Array, *, base: float = 22.0, coupling: float = 0.3) -> Array:
    """Machine-room temperature: follows the outdoors only partly."""
    result: Array = base + coupling * (ambient - 15.0)
    return result


def cumulative(values_per_step: Array, state: dict[str, Any], key: str, start: float) -> Array:
    """A monotonic counter (energy, operating hours) carried across blocks."""
    total = np.cumsum(values_per_step) + state.get(key, start)
    state[key] = float(total[-1]) if len(total) else state.get(key, start)
    result: Array = total
    return result


# Every asset here is driven by a three-phase motor: these faults and metrics apply to all.
MOTOR_FAULTS = frozenset(
    {"bearing_wear", "misalignment", "overheating", "energy_drift", "winding_fault"}
)
VIBRATION = ("vibration_rms", "vibration_peak")
PHASES = ("current", "current_l1", "current_l2", "current_l3", "power")


def draw(rng: np.random.Generator, ranges: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Nameplate values drawn uniformly from their ranges, in the order given (repeatable)."""
    return {name: float(rng.uniform(low, high)) for name, (low, high) in ranges.items()}
