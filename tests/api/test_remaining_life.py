"""The asset page's chart of the predicted remaining life reads it from the scores."""

from __future__ import annotations

from datetime import timedelta

from api.roles import Role
from ingest.points import ANOMALY_SCORE, Point
from tests.api.builders import auth
from tests.api.conftest import ApiWorld


def test_remaining_life_series_with_its_interval(world: ApiWorld) -> None:
    end = world.fleet.end
    tags = {"site": "plant-north", "asset": "pump-002", "asset_type": "pump", "detector": "pca"}
    world.store.write(
        [
            Point(
                ANOMALY_SCORE,
                tags,
                {
                    "rul_days": 4.0 - m / 60,
                    "rul_low_days": 3.0 - m / 60,
                    "rul_high_days": 6.0,
                    "rul_learned": 1.0,
                },
                int((end - timedelta(minutes=10 - m)).timestamp() * 1000),
            )
            for m in range(10)
        ]
    )
    headers = auth(world.keys[Role.viewer])
    params = {"start": (end - timedelta(hours=1)).isoformat(), "end": end.isoformat()}
    body = world.client.get(
        "/api/v1/assets/pump-002/remaining-life", params=params, headers=headers
    ).json()
    assert set(body["fields"]) == {"rul_days", "rul_low_days", "rul_high_days", "rul_learned"}
    # Which estimate: the model learned from confirmed failures (1), not the trend (0).
    assert {v for v in body["fields"]["rul_learned"] if v is not None} == {1.0}
    days = [v for v in body["fields"]["rul_days"] if v is not None]
    assert len(days) == 10
    assert days[0] == 4.0
    lows = [v for v in body["fields"]["rul_low_days"] if v is not None]
    assert all(low < d for low, d in zip(lows, days, strict=True))
    quiet = world.client.get(
        "/api/v1/assets/pump-001/remaining-life", params=params, headers=headers
    ).json()
    assert not any(v is not None for values in quiet["fields"].values() for v in values)
    assert world.client.get("/api/v1/assets/pump-001/remaining-life").status_code == 401
