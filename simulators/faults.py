"""Fault modes: how each develops from onset to functional failure, as effects on an asset.

``progress`` runs 0 -> 1 from onset to the stated failure time and stays at 1 after it (the
asset keeps running, failed, until the scenario ends). ``severity`` (0..1] scales how far the
fault goes: 1.0 reaches the failure level exactly at ``failure_at``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulators.physics import VIBRATION_FAILURE_MM_S, Array, Effects

# Failure levels, at severity 1.0 and rated conditions (documented in docs/simulators.md).
OVERHEAT_AT_FULL_LOAD_C = 35.0  # temperature rise over healthy at 100 % load
ENERGY_DRIFT_POWER = 0.25  # +25 % power for the same work
WINDING_ASYMMETRY = 0.25  # 25 % phase current unbalance
REFRIGERANT_LOSS = 0.6  # fraction of charge lost
CAVITATION = 1.0


@dataclass(frozen=True)
class Fault:
    mode: str
    onset_s: float
    failure_s: float
    severity: float

    def progress(self, t: Array) -> Array:
        span = max(self.failure_s - self.onset_s, 1.0)
        result: Array = np.clip((t - self.onset_s) / span, 0.0, 1.0)
        return result


def _wear_curve(p: Array) -> Array:
    """Slow then faster: the exponential shape of bearing wear curves, 0 -> 1 over p in 0..1."""
    result: Array = np.expm1(3.0 * p) / np.expm1(3.0)
    return result


def _bearing_wear(fault: Fault, p: Array, fx: Effects, vib_base: float) -> None:
    active = p > 0
    fx.vib_add = fx.vib_add + fault.severity * (VIBRATION_FAILURE_MM_S - vib_base) * _wear_curve(p)
    # Impulsive events from the first spalls: frequent early, frequent again near failure.
    fx.spike_prob = fx.spike_prob + np.where(active, fault.severity * (0.04 + 0.12 * p), 0.0)
    fx.heat = fx.heat + fault.severity * 12.0 * _wear_curve(p)


def _imbalance(fault: Fault, p: Array, fx: Effects, vib_base: float) -> None:
    # A step at onset (a lost balance weight, deposits breaking off), then slow growth.
    level = np.where(p > 0, 0.6 + 0.4 * p, 0.0)
    fx.vib_add = fx.vib_add + fault.severity * (VIBRATION_FAILURE_MM_S - vib_base) * level
    fx.vib_add_speed_exp = 2.0  # imbalance force grows with the square of speed


def _misalignment(fault: Fault, p: Array, fx: Effects, vib_base: float) -> None:
    level = np.where(p > 0, 0.5 + 0.5 * p, 0.0)
    fx.vib_add = fx.vib_add + fault.severity * (VIBRATION_FAILURE_MM_S - vib_base) * level
    fx.heat = fx.heat + fault.severity * 10.0 * level  # coupling and bearing friction
    fx.power_mult = fx.power_mult * (1.0 + fault.severity * 0.03 * level)


def _overheating(fault: Fault, p: Array, fx: Effects, _vib_base: float) -> None:
    fx.heat_at_full_load = fx.heat_at_full_load + fault.severity * OVERHEAT_AT_FULL_LOAD_C * p


def _energy_drift(fault: Fault, p: Array, fx: Effects, _vib_base: float) -> None:
    fx.power_mult = fx.power_mult * (1.0 + fault.severity * ENERGY_DRIFT_POWER * p)
    fx.heat = fx.heat + fault.severity * 4.0 * p


def _refrigerant_leak(fault: Fault, p: Array, fx: Effects, _vib_base: float) -> None:
    fx.refrigerant_loss = fx.refrigerant_loss + fault.severity * REFRIGERANT_LOSS * p


def _cavitation(fault: Fault, p: Array, fx: Effects, _vib_base: float) -> None:
    fx.cavitation = fx.cavitation + fault.severity * CAVITATION * np.sqrt(p)


def _winding_fault(fault: Fault, p: Array, fx: Effects, _vib_base: float) -> None:
    # Insulation breakdown accelerates: turn-to-turn shorts heat their neighbours.
    fx.asym = fx.asym + fault.severity * WINDING_ASYMMETRY * p**2
    fx.heat = fx.heat + fault.severity * 25.0 * p**2


_APPLY: dict[str, Callable[[Fault, Array, Effects, float], None]] = {
    "bearing_wear": _bearing_wear,
    "imbalance": _imbalance,
    "misalignment": _misalignment,
    "overheating": _overheating,
    "energy_drift": _energy_drift,
    "refrigerant_leak": _refrigerant_leak,
    "cavitation": _cavitation,
    "winding_fault": _winding_fault,
}
FAULT_MODES: tuple[str, ...] = tuple(_APPLY)

# The fault code (models.base.FAULT_CODES) a detector should suggest for each mode; copied here
# because simulators import nothing from Vigil.
FAULT_CODE_OF_MODE: dict[str, str] = {
    "bearing_wear": "mechanical",
    "imbalance": "mechanical",
    "misalignment": "mechanical",
    "overheating": "thermal",
    "energy_drift": "energy_drift",
    "refrigerant_leak": "energy_drift",
    "cavitation": "process",
    "winding_fault": "electrical",
}


def effects_at(t: Array, faults: list[Fault], *, vib_base: float) -> Effects:
    """The combined effects of an asset's faults at times ``t``."""
    effects = Effects()
    for fault in faults:
        _APPLY[fault.mode](fault, fault.progress(t), effects, vib_base)
    return effects
