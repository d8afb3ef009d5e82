"""Each fault mode's signature, against a healthy twin with the same noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulators.faults import OVERHEAT_AT_FULL_LOAD_C
from simulators.physics import VIBRATION_FAILURE_MM_S
from tests.simulators.builders import at, frame, one_asset, twins

ONSET, TTF = "1d", "2d"


def fault(mode: str, severity: float = 1.0) -> dict[str, object]:
    return {"mode": mode, "onset": ONSET, "time_to_failure": TTF, "severity": severity}


def test_healthy_twin_is_identical_before_onset() -> None:
    healthy, faulty = twins("pump", fault("bearing_wear"))
    before = healthy.index < at(ONSET)
    pd.testing.assert_frame_equal(healthy[before], faulty[before])
    assert not healthy[~before].equals(faulty[~before])


def test_bearing_wear_rises_monotonically_and_reaches_failure_level_on_time() -> None:
    _, faulty = twins("elevator", fault("bearing_wear"))
    trend = faulty["vibration_rms"].resample("3h").median()
    developing = trend[at(ONSET) : at("3d")]
    assert (developing.diff().dropna() > -0.05).all(), developing
    # Slow, then faster: the second half of the life adds much more than the first.
    half = at(ONSET) + (at("3d") - at(ONSET)) / 2
    first = trend[half] - trend[at(ONSET)]
    assert trend[at("3d") - pd.Timedelta("3h")] - trend[half] > 2 * first
    at_failure = faulty["vibration_rms"][at("3d") - pd.Timedelta("30min") : at("3d")].median()
    assert at_failure == pytest.approx(VIBRATION_FAILURE_MM_S, rel=0.1)


def test_bearing_wear_shows_impulsive_peaks_early() -> None:
    healthy, faulty = twins("elevator", fault("bearing_wear"))
    early = slice(at(ONSET), at(ONSET) + pd.Timedelta("12h"))
    crest_healthy = (healthy["vibration_peak"] / healthy["vibration_rms"])[early]
    crest_faulty = (faulty["vibration_peak"] / faulty["vibration_rms"])[early]
    assert (crest_faulty > 3.0).sum() > 10 * max((crest_healthy > 3.0).sum(), 1)
    # ... while the RMS trend has barely moved yet.
    assert faulty["vibration_rms"][early].median() < 1.3 * healthy["vibration_rms"][early].median()


@pytest.mark.parametrize("mode", ["imbalance", "misalignment"])
def test_imbalance_and_misalignment_step_up_vibration_at_onset(mode: str) -> None:
    healthy, faulty = twins("pump", fault(mode))
    hour_before = slice(at(ONSET) - pd.Timedelta("1h"), at(ONSET) - pd.Timedelta("1min"))
    hour_after = slice(at(ONSET), at(ONSET) + pd.Timedelta("1h"))
    ratio_before = (faulty["vibration_rms"] / healthy["vibration_rms"])[hour_before].mean()
    ratio_after = (faulty["vibration_rms"] / healthy["vibration_rms"])[hour_after].mean()
    assert ratio_before == pytest.approx(1.0)
    assert ratio_after > 2.0


def test_imbalance_grows_with_speed_more_than_misalignment() -> None:
    def speed_sensitivity(mode: str) -> float:
        healthy, faulty = twins("pump", fault(mode))
        late = faulty.index > at("2d")
        added = (faulty["vibration_rms"] - healthy["vibration_rms"])[late]
        speed = faulty["speed"][late]
        slope = np.polyfit(np.log(speed), np.log(added.clip(lower=0.01)), 1)[0]
        return float(slope)

    assert speed_sensitivity("imbalance") > speed_sensitivity("misalignment") + 0.5


def test_overheating_raises_temperature_more_at_high_load() -> None:
    healthy, faulty = twins("pump", fault("overheating"))
    late = faulty.index > at("2d12h")
    excess = (faulty["bearing_temperature"] - healthy["bearing_temperature"])[late]
    load = faulty["load"][late]
    high, low = excess[load > 60].mean(), excess[load < 25].mean()
    assert high > low + 8.0
    assert excess.max() < OVERHEAT_AT_FULL_LOAD_C + 2.0


def test_energy_drift_needs_more_power_for_the_same_work() -> None:
    healthy, faulty = twins("pump", fault("energy_drift", severity=0.8))
    pd.testing.assert_series_equal(healthy["flow"], faulty["flow"])
    ratio = (faulty["power"] / healthy["power"]).resample("12h").mean()
    assert ratio[at("12h")] == pytest.approx(1.0, abs=0.005)
    assert ratio[at("3d")] == pytest.approx(1.0 + 0.25 * 0.8, abs=0.01)


def test_refrigerant_leak_lowers_chiller_efficiency_and_heats_discharge() -> None:
    healthy, faulty = twins("chiller", fault("refrigerant_leak"))
    late = faulty.index > at("2d12h")
    cop_healthy = (healthy["cooling_output"] / healthy["power"])[late].mean()
    cop_faulty = (faulty["cooling_output"] / faulty["power"])[late].mean()
    assert cop_faulty < 0.85 * cop_healthy
    discharge_rise = (faulty["discharge_temperature"] - healthy["discharge_temperature"])[late]
    assert discharge_rise.mean() > 10.0


def test_cavitation_cuts_flow_and_makes_pressure_and_vibration_erratic() -> None:
    healthy, faulty = twins("pump", fault("cavitation"))
    late = faulty.index > at("2d12h")
    assert (faulty["flow"] / healthy["flow"])[late].mean() < 0.95
    assert faulty["pressure"][late].diff().std() > 3 * healthy["pressure"][late].diff().std()
    assert faulty["vibration_rms"][late].mean() > 1.8 * healthy["vibration_rms"][late].mean()


def test_winding_fault_unbalances_phase_currents() -> None:
    healthy, faulty = twins("elevator", fault("winding_fault"))

    def unbalance(f: pd.DataFrame) -> pd.Series:
        phases = f[["current_l1", "current_l2", "current_l3"]]
        return ((phases.max(axis=1) - phases.min(axis=1)) / phases.mean(axis=1)).dropna()

    late = faulty.index > at("2d20h")
    assert unbalance(healthy).median() < 0.03
    assert unbalance(faulty)[late].median() > 0.3
    assert unbalance(faulty)[: at("1d12h")].median() < 0.05  # p**2: slow to start


def test_severity_scales_how_far_a_fault_goes() -> None:
    _, mild = twins("elevator", fault("bearing_wear", severity=0.5))
    _, full = twins("elevator", fault("bearing_wear", severity=1.0))
    end = slice(at("3d"), at("3d2h"))
    assert mild["vibration_rms"][end].median() < 0.6 * full["vibration_rms"][end].median()


def test_fault_mode_must_suit_the_asset_type() -> None:
    with pytest.raises(ValueError, match="'cavitation' cannot happen to a elevator"):
        frame(one_asset("elevator", faults=[fault("cavitation")]))
