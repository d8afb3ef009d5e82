"""Elevator traction motor: trips follow an office building's day; the motor heats with use."""

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
    hour_of_day,
    is_weekday,
    lag,
    peaks,
    phase_currents,
    vibration,
)


class Elevator:
    asset_type = "elevator"
    metrics = (*VIBRATION, "temperature", *PHASES, "energy", "load", "trips")
    fault_modes = MOTOR_FAULTS | {"imbalance"}

    def draw_params(self, rng: np.random.Generator) -> dict[str, float]:
        return draw(
            rng,
            {
                "rated_kw": (11.0, 22.0),
                "vib_base": (0.9, 1.6),
                "temp_rise": (25.0, 35.0),
                "trip_s": (15.0, 25.0),
                "usage": (0.7, 1.3),
                "energy0": (1e4, 9e4),
            },
        )

    def simulate(self, block: Block) -> dict[str, Array]:
        p, fx, dt = block.params, block.effects, block.dt
        hour = hour_of_day(block.t, block.climate["utc_offset_h"])
        office = peaks(hour, [(8.5, 1.0, 60.0), (12.5, 1.0, 30.0), (17.5, 1.2, 50.0)])
        office += np.where((hour > 7) & (hour < 19), 12.0, 0.0)
        weekday = is_weekday(block.t, block.climate["utc_offset_h"])
        trips_per_h = p["usage"] * np.where(weekday, office + 3.0, 0.3 * office + 2.0)
        trips = block.rng.poisson(trips_per_h * dt / 3600.0).astype(float)
        duty = np.clip(trips * p["trip_s"] / dt, 0.0, 1.0)
        car = np.clip(0.55 + 0.3 * trips_per_h / 60.0 + block.noise(0.08), 0.3, 1.0)
        load = duty * car  # fraction of rated, averaged over the interval
        power = (0.3 + p["rated_kw"] * load * fx.power_mult) * (1.0 + block.noise(0.02))
        room = indoor(block.outdoor)
        # The motor heats with the square of current; lag smooths rides into a slow trend.
        target = room + p["temp_rise"] * (0.1 + 0.9 * load) + fx.heat_at_full_load * load + fx.heat
        temperature = lag(target, dt=dt, tau_s=25 * 60.0, state=block.state, key="motor_temp")
        # Vibration is measured during the last ride, at rated speed.
        rms, peak = vibration(
            rng=block.rng, base=p["vib_base"], speed_ratio=1.0, effects=fx, n=block.n
        )
        return {
            "vibration_rms": rms,
            "vibration_peak": peak,
            "temperature": temperature + block.noise(0.2),
            **phase_currents(power, volts=400.0, power_factor=0.82, asym=fx.asym, rng=block.rng),
            "power": power,
            "energy": cumulative(power * dt / 3600.0, block.state, "energy", p["energy0"]),
            "load": load * 100.0,
            "trips": trips,
        }
