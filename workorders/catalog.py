"""What the service knows about each fault code: title, severity, suggested actions and parts.

Titles come from ``models.base.FAULT_CODES`` so the scorer and the work orders never disagree.
An unknown code still gets a work order (title = the code, medium severity, generic actions).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.base import DATA_QUALITY_CODES, FAULT_CODES


@dataclass(frozen=True, slots=True)
class FaultInfo:
    title: str
    # 3 = can break the equipment soon, 2 = degrades service, 1 = worth a look.
    severity: int
    actions: tuple[str, ...]
    parts: tuple[str, ...] = ()


_INFO: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "mechanical": (
        3,
        (
            "Measure vibration spectrum at the bearing housings (ISO 10816 velocity)",
            "Check bearing lubrication and shaft alignment",
            "Replace worn bearings if the spectrum shows bearing defect frequencies",
        ),
        ("bearing set", "grease cartridge", "coupling insert"),
    ),
    "thermal": (
        3,
        (
            "Check cooling airflow, fans and heat-exchanger fouling",
            "Verify refrigerant charge or coolant level",
            "Inspect winding temperature sensors",
        ),
        ("fan motor", "air filter"),
    ),
    "electrical": (
        3,
        (
            "Measure phase currents and voltages for asymmetry",
            "Inspect contactors, terminals and insulation resistance",
        ),
        ("contactor", "fuse set"),
    ),
    "energy_drift": (
        2,
        (
            "Compare power draw with the nominal load curve",
            "Clean filters and heat exchangers; check valve and damper positions",
        ),
        ("air filter",),
    ),
    "process": (
        2,
        ("Check flow, pressure and load set-points with the operator", "Inspect valves and seals"),
        ("seal kit",),
    ),
    "anomaly": (1, ("Review the telemetry of the contributing metrics on site",), ()),
    "dq_stuck_sensor": (
        1,
        ("Check the sensor and its wiring; replace it if the value no longer changes",),
        ("sensor",),
    ),
    "dq_gateway_offline": (
        1,
        ("Check the gateway's power and network connection", "Restart the gateway"),
        (),
    ),
    "dq_gap": (1, ("Check the gateway's connectivity and buffer",), ()),
}


def is_data_quality(fault_code: str) -> bool:
    return fault_code in DATA_QUALITY_CODES or fault_code.startswith("dq_")


def fault_info(fault_code: str) -> FaultInfo:
    severity, actions, parts = _INFO.get(
        fault_code, (2, ("Inspect the asset; the fault code is not in the catalogue",), ())
    )
    return FaultInfo(FAULT_CODES.get(fault_code, fault_code), severity, actions, parts)
