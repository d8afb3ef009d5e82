"""bench/quality.py's false work orders: an asset already faulty is not a healthy one."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from bench.quality import false_breakdown, faulty_windows
from models.evaluation import fleet_evaluation
from models.labels import LabelWindow


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


def _alarms(rows: list[tuple[str, datetime]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "asset": [a for a, _ in rows],
            "time": pd.to_datetime([t for _, t in rows], utc=True),
            "asset_type": "elevator",
            "fault_code": "thermal",
            "local_hour": 9.0,
            "ratio": 1.5,
        }
    )


def test_alarms_after_failure_or_on_a_fault_begun_in_training_are_apart() -> None:
    # e1 failed on the 18th and alarms again on Monday the 26th (a new episode: the weekend was
    # quiet); e2's fault began in training (the 6th), before the evaluated days; e3 is healthy.
    failed = LabelWindow("e1", _at(11), _at(18), "fault", "elevator", "overheating", _at(18))
    early = LabelWindow("e2", _at(6), _at(17), "fault", "elevator", "bearing_wear", _at(17))
    alarms = _alarms([("e1", _at(12)), ("e1", _at(26, 8)), ("e2", _at(9)), ("e3", _at(20))])
    faulty = faulty_windows([failed, early], _at(31))
    counted = fleet_evaluation(alarms=alarms, faults=[failed], asset_days=100.0)
    apart = fleet_evaluation(alarms=alarms, faults=[failed], excused=faulty, asset_days=100.0)
    assert counted.false_work_orders == 3
    assert apart.false_work_orders == 1  # e3's alone
    by = false_breakdown(alarms, [failed], faulty)
    assert by["by_type_code"] == {"elevator/thermal": 3}
    assert by["on_faulty_assets_by_type"] == {"elevator": 2}
