"""Scenario files: the shipped ones load, and every mistake gets a message that says where."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from simulators import ScenarioError, load_scenario, streams
from simulators.faults import FAULT_MODES
from simulators.quality import QUALITY_KINDS
from simulators.scenario import SCENARIO_DIR, parse_scenario

MINIMAL: dict[str, Any] = {
    "duration": "1d",
    "sites": [{"id": "s1"}],
    "assets": [{"id": "p1", "site": "s1", "type": "pump"}],
}


def test_demo_scenario_is_small_with_a_warm_up_and_one_bearing_fault() -> None:
    demo = load_scenario("demo")
    assert 10 <= len(demo.assets) <= 15
    assert 2 <= len(demo.sites) <= 3
    (fault,) = demo.faults
    assert fault.mode == "bearing_wear"
    assert fault.onset_s >= 3600
    assert len(demo.quality) == 1


def test_fleet_30d_has_200_assets_and_every_fault_mode_and_quality_kind() -> None:
    fleet = load_scenario(SCENARIO_DIR / "fleet-30d.toml")
    assert len(fleet.assets) == 200
    assert fleet.duration_s == 30 * 86_400
    assert set(Counter(f.mode for f in fleet.faults)) == set(FAULT_MODES)
    assert set(Counter(q.kind for q in fleet.quality)) == set(QUALITY_KINDS)
    assert len({f.asset for f in fleet.faults}) == len(fleet.faults)  # one fault per asset
    assert min(f.onset_s for f in fleet.faults) >= 5 * 86_400


def test_random_faults_are_repeatable_for_a_seed() -> None:
    raw = {
        **MINIMAL,
        "fleets": [{"site": "s1", "type": "pump", "count": 30}],
        "random_faults": {"count": 10},
    }
    assert parse_scenario(raw).faults == parse_scenario(raw).faults
    assert parse_scenario(raw).faults != parse_scenario({**raw, "seed": 2}).faults


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration": "soon"}, "scenario.duration: expected a duration like"),
        ({"duration": None}, "scenario.duration: required"),
        ({"colour": "red"}, "scenario: unknown key 'colour'"),
        ({"start": "2026-10-01 00:00"}, "scenario.start: expected an RFC 3339 time"),
        ({"sites": []}, "at least one [[sites]]"),
        ({"sites": [{"id": "s 1"}]}, "sites[0].id: expected letters, digits"),
        ({"assets": [{"id": "p1", "site": "s9", "type": "pump"}]}, "site 's9' is not in"),
        ({"assets": [{"id": "p1", "site": "s1", "type": "boiler"}]}, "unknown asset type 'boiler'"),
        (
            {
                "faults": [
                    {"asset": "p9", "mode": "cavitation", "onset": "1h", "time_to_failure": "1d"}
                ]
            },
            "faults[0].asset: no asset 'p9'",
        ),
        (
            {"faults": [{"asset": "p1", "mode": "rust", "onset": "1h", "time_to_failure": "1d"}]},
            "faults[0].mode: 'rust' is not a fault mode",
        ),
        (
            {
                "faults": [
                    {"asset": "p1", "mode": "cavitation", "onset": "2d", "time_to_failure": "1d"}
                ]
            },
            "onset must lie inside",
        ),
        (
            {
                "faults": [
                    {
                        "asset": "p1",
                        "mode": "cavitation",
                        "onset": "1h",
                        "time_to_failure": "1d",
                        "severity": 3,
                    }
                ]
            },
            "faults[0].severity: expected",
        ),
        (
            {
                "data_quality": [
                    {"asset": "p1", "kind": "gremlins", "start": "1h", "duration": "1h"}
                ]
            },
            "data_quality[0].kind: unknown kind",
        ),
        (
            {
                "data_quality": [
                    {
                        "asset": "p1",
                        "kind": "stuck",
                        "start": "1h",
                        "duration": "1h",
                        "metric": "humidity",
                    }
                ]
            },
            "a pump has no metric 'humidity'",
        ),
        ({"random_faults": {"count": 3, "modes": ["rust"]}}, "random_faults.modes: expected"),
    ],
)
def test_mistakes_are_reported_clearly(change: dict[str, Any], message: str) -> None:
    raw = {key: value for key, value in {**MINIMAL, **change}.items() if value is not None}
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(raw)
    assert message in str(caught.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        ScenarioError, match=r"no such file \(shipped scenarios: .*demo, .*fleet-30d"
    ):
        load_scenario(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("duration = \n")
    with pytest.raises(ScenarioError, match=r"broken.toml: not valid TOML"):
        load_scenario(broken)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('duration = "1d"\n[[sites]]\nid = "a"\n')
    with pytest.raises(ScenarioError, match=r"wrong.toml: assets: at least one"):
        load_scenario(wrong)


@pytest.mark.parametrize("path", sorted(SCENARIO_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_loads_and_runs(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.faults, "a shipped scenario shows at least one fault"
    (stream, *_) = streams(scenario, seed=scenario.seed, start_s=1_790_812_800.0)
    assert len(stream.block(0)) > 0
