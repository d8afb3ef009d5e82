"""Chiller compressor: cooling load follows the outdoor temperature and the office day."""

from __future__ import annotations

import numpy as np

from simulators.equipment.base import MOTOR_FAULTS, PHASES, VIBRATION, Block, draw
from simulators.physics import (
    Array,
    ar1,
    hour_of_day,
    is_weekday,
    lag,
    peaks,
    phase_currents,
    vibration,
)


class Chiller:
    asset_type = "chiller"
    metrics = (
        *VIBRATION,
        "discharge_temperature",
        "ambient_temperature",
        *PHASES,
        "cooling_output",
        "load",
        "speed",
    )
    fault_modes = (MOTOR_FAULTS - {"misalignment"}) | {"imbalance", "refrigerant_leak"}

    def draw_params(self, rng: np.random.Generator) -> dict[str, float]:
        return draw(rng, {"capacity_kw": (300.0, 800.0), "cop": (4.5, 5.5), "vib_base": (1.2, 2.0)})

    def simulate(self, block: Block) -> dict[str, Array]:
        p, fx, dt = block.params, block.effects, block.dt
        outdoor = block.outdoor
        hour = hour_of_day(block.t, block.climate["utc_offset_h"])
        occupied = np.where(is_weekday(block.t, block.climate["utc_offset_h"]), 1.0, 0.3)
        people = 0.15 * occupied * peaks(hour, [(13.0, 4.0, 1.0)])
        wander = ar1(
            block.rng, block.n, dt=dt, tau_s=1800.0, sigma=0.04, state=block.state, key="demand"
        )
        demand = np.clip(0.15 + (outdoor - 10.0) / 22.0 + people + wander, 0.1, 1.0)
        # A leak lowers capacity; the compressor works harder and still falls short at peaks.
        leak = np.asarray(fx.refrigerant_loss)
        capacity = 1.0 - 0.6 * leak
        load = np.clip(demand / capacity, 0.1, 1.0)
        cooling = load * capacity * p["capacity_kw"] * (1.0 + block.noise(0.01))
        cop = p["cop"] * (1.0 - 0.012 * (outdoor - 25.0)) * (1.0 - 0.35 * leak)
        power = cooling / cop * fx.power_mult * (1.0 + block.noise(0.01))
        speed_ratio = 0.4 + 0.6 * load  # variable-speed drive
        target = (
            38.0 + 0.5 * outdoor + 20.0 * load + 30.0 * leak + fx.heat_at_full_load * load + fx.heat
        )
        discharge = lag(target, dt=dt, tau_s=10 * 60.0, state=block.state, key="discharge")
        rms, peak = vibration(
            rng=block.rng, base=p["vib_base"], speed_ratio=speed_ratio, effects=fx, n=block.n
        )
        return {
            "vibration_rms": rms,
            "vibration_peak": peak,
            "discharge_temperature": discharge + block.noise(0.3),
            "ambient_temperature": outdoor + block.noise(0.1),
            **phase_currents(power, volts=400.0, power_factor=0.9, asym=fx.asym, rng=block.rng),
            "power": power,
            "cooling_output": cooling,
            "load": load * 100.0,
            "speed": 3000.0 * speed_ratio + block.noise(3.0),
        }
