"""Canonical metric names and units of the gateway contract.

Gateways should use these names so detectors and charts understand them; any other metric whose
name matches the contract's pattern is stored too, with no unit known.
"""

from __future__ import annotations

from typing import NamedTuple


class Metric(NamedTuple):
    unit: str
    description: str


CANONICAL_METRICS: dict[str, Metric] = {
    "vibration_rms": Metric("mm/s", "vibration RMS velocity, 10-1000 Hz, as in ISO 10816"),
    "vibration_peak": Metric("mm/s", "vibration peak velocity over the reading interval"),
    "temperature": Metric("°C", "main temperature of the asset (motor frame, oil)"),
    "bearing_temperature": Metric("°C", "bearing housing temperature"),
    "winding_temperature": Metric("°C", "motor or transformer winding temperature"),
    "discharge_temperature": Metric("°C", "compressor discharge temperature"),
    "ambient_temperature": Metric("°C", "air temperature around the asset or outdoors"),
    "current": Metric("A", "motor current, mean of the phases"),
    "current_l1": Metric("A", "phase L1 current"),
    "current_l2": Metric("A", "phase L2 current"),
    "current_l3": Metric("A", "phase L3 current"),
    "voltage": Metric("V", "supply voltage, line to line"),
    "power": Metric("kW", "active electrical power drawn"),
    "energy": Metric("kWh", "energy meter reading, monotonic"),
    "speed": Metric("rpm", "shaft speed"),
    "load": Metric("%", "load relative to rated"),
    "flow": Metric("m³/h", "volume flow"),
    "pressure": Metric("bar", "discharge or line pressure"),
    "suction_pressure": Metric("bar", "suction pressure"),
    "cooling_output": Metric("kW", "cooling capacity delivered (chillers)"),
    "oil_temperature": Metric("°C", "top-oil temperature (transformers, gearboxes)"),
    "trips": Metric("count", "elevator trips since the last reading"),
    "operating_hours": Metric("h", "running-hours counter, monotonic"),
}
