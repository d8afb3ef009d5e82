"""Oil-injected screw air compressor (load/unload): demand follows two factory shifts."""

from __future__ import annotations

import numpy as np

from simulators.equipment.base import (
    MOTOR_FAULTS,
    PHASES,
    VIBRATION,
    Block,
    cumulative,
    draw,
    indoor,
)
from simulators.physics import (
    Array,
    ar1,
    hour_of_day,
    is_weekday,
    lag,
    phase_currents,
    vibration,
)


class AirCompressor:
    asset_type = "air_compressor"
    metrics = (
        *VIBRATION,
        "discharge_temperature",
        "oil_temperature",
        # The intake air's temperature, as compressor controllers report it: the room's air.
        "ambient_temperature",
        *PHASES,
        "flow",
        "pressure",
        "load",
        "operating_hours",
    )
    fault_modes = MOTOR_FAULTS

    def draw_params(self, rng: np.random.Generator) -> dict[str, float]:
        return draw(
            rng, {"rated_kw": (30.0, 110.0), "vib_base": (1.5, 2.5), "hours0": (2_000.0, 40_000.0)}
        )

    def simulate(self, block: Block) -> dict[str, Array]:
        p, fx, dt = block.params, block.effects, block.dt
        hour = hour_of_day(block.t, block.climate["utc_offset_h"])
        shifts = (hour >= 6.0) & (hour < 22.0) & is_weekday(block.t, block.climate["utc_offset_h"])
        wander = ar1(
            block.rng, block.n, dt=dt, tau_s=900.0, sigma=0.06, state=block.state, key="demand"
        )
        demand = np.clip(np.where(shifts, 0.75, 0.22) + wander, 0.05, 1.0)
        # Loaded for a share of the interval equal to demand; unloaded it still draws ~30 %.
        power = p["rated_kw"] * (0.3 + 0.7 * demand) * fx.power_mult * (1.0 + block.noise(0.015))
        flow = p["rated_kw"] * 9.6 * demand * (1.0 + block.noise(0.01))
        pressure = 7.5 - 0.5 * demand + block.noise(0.03)
        room = indoor(block.outdoor, base=24.0, coupling=0.5)
        target = (
            68.0 + 0.4 * (room - 20.0) + 16.0 * demand + fx.heat_at_full_load * demand + fx.heat
        )
        discharge = lag(target, dt=dt, tau_s=8 * 60.0, state=block.state, key="discharge")
        oil = lag(discharge - 6.0, dt=dt, tau_s=20 * 60.0, state=block.state, key="oil")
        rms, peak = vibration(
            rng=block.rng, base=p["vib_base"], speed_ratio=1.0, effects=fx, n=block.n
        )
        return {
            "vibration_rms": rms,
            "vibration_peak": peak,
            "discharge_temperature": discharge + block.noise(0.3),
            "oil_temperature": oil + block.noise(0.2),
            "ambient_temperature": room + block.noise(0.1),
            **phase_currents(power, volts=400.0, power_factor=0.87, asym=fx.asym, rng=block.rng),
            "power": power,
            "flow": flow,
            "pressure": pressure,
            "load": demand * 100.0,
            "operating_hours": cumulative(
                np.full(block.n, dt / 3600.0), block.state, "hours", p["hours0"]
            ),
        }
