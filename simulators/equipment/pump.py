"""Centrifugal pump on a variable-speed drive: water demand sets speed (affinity laws)."""

from __future__ import annotations

import numpy as np

from simulators.equipment.base import MOTOR_FAULTS, PHASES, VIBRATION, Block, draw, indoor
from simulators.physics import (
    Array,
    ar1,
    hour_of_day,
    lag,
    peaks,
    phase_currents,
    vibration,
)


class Pump:
    asset_type = "pump"
    metrics = (*VIBRATION, "bearing_temperature", *PHASES, "flow", "pressure", "speed", "load")
    fault_modes = MOTOR_FAULTS | {"imbalance", "cavitation"}

    def draw_params(self, rng: np.random.Generator) -> dict[str, float]:
        return draw(
            rng,
            {
                "rated_kw": (15.0, 75.0),
                "rated_flow": (80.0, 300.0),
                "head_bar": (3.0, 6.0),
                "vib_base": (1.0, 1.8),
            },
        )

    def simulate(self, block: Block) -> dict[str, Array]:
        p, fx, dt = block.params, block.effects, block.dt
        hour = hour_of_day(block.t, block.climate["utc_offset_h"])
        wander = ar1(
            block.rng, block.n, dt=dt, tau_s=1200.0, sigma=0.05, state=block.state, key="demand"
        )
        demand = np.clip(
            0.35 + peaks(hour, [(7.0, 1.5, 0.5), (19.0, 2.0, 0.4), (12.5, 2.0, 0.15)]) + wander,
            0.2,
            1.05,
        )
        speed_ratio = 0.45 + 0.55 * demand
        # Cavitation needs high flow (low suction head): worst at the demand peaks.
        cav = np.asarray(fx.cavitation) * np.clip((demand - 0.3) / 0.6, 0.15, 1.0)
        flow = p["rated_flow"] * demand * (1.0 - 0.2 * cav) * (1.0 + block.noise(0.01))
        pressure = p["head_bar"] * speed_ratio**2 * (1.0 - 0.15 * cav)
        pressure = pressure + block.noise(0.02) + block.noise(1.0) * 0.4 * cav
        power = p["rated_kw"] * speed_ratio**3 * fx.power_mult * (1.0 + block.noise(0.01))
        load = power / p["rated_kw"]
        room = indoor(block.outdoor, base=18.0)
        target = room + 28.0 * speed_ratio**2 + fx.heat_at_full_load * load + fx.heat
        bearing = lag(target, dt=dt, tau_s=30 * 60.0, state=block.state, key="bearing")
        fx.vib_add = fx.vib_add + 4.0 * cav
        fx.vib_noise = fx.vib_noise + 0.6 * cav
        fx.spike_prob = fx.spike_prob + 0.08 * cav
        rms, peak = vibration(
            rng=block.rng, base=p["vib_base"], speed_ratio=speed_ratio, effects=fx, n=block.n
        )
        return {
            "vibration_rms": rms,
            "vibration_peak": peak,
            "bearing_temperature": bearing + block.noise(0.2),
            **phase_currents(power, volts=400.0, power_factor=0.86, asym=fx.asym, rng=block.rng),
            "power": power,
            "flow": np.maximum(flow, 0.0),
            "pressure": np.maximum(pressure, 0.0),
            "speed": 1480.0 * speed_ratio + block.noise(2.0),
            "load": load * 100.0,
        }
