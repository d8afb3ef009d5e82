"""Small builders of test data for the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerts.flows import handle_decisions
from api import keys
from api.config import ApiConfig
from api.roles import Role
from customers.service import create_customer
from field.models import EngineerLevel
from field.schemas import EngineerCreate
from field.service import create_engineer
from ingest.points import ANOMALY_SCORE, TELEMETRY, Point
from ingest.store.base import TelemetryStore
from models.base import Decision
from workorders import from_alerts
from workorders.models import WorkOrder

SECRET = "test-session-secret-0123456789abcdef"


def api_config(tmp_path: Path, **overrides: object) -> ApiConfig:
    values: dict[str, object] = {
        "session_secret": SECRET,
        "data_dir": tmp_path,
        "cookie_secure": False,
        "fleet_refresh_s": 0.2,
    }
    values.update(overrides)
    return ApiConfig(**values)  # type: ignore[arg-type]


def make_keys(factory: sessionmaker[Session]) -> dict[Role, str]:
    """One key per role, in clear (as a client would hold them). The customer key is bound to a
    customer "Test customer" without sites, the engineer key to a retired engineer "t.engineer"."""
    now = datetime.now(UTC)
    with factory() as session:
        customer = create_customer(session=session, name="Test customer", actor="tests", now=now)
        engineer = create_engineer(
            session=session,
            data=EngineerCreate(code="t.engineer", name="Test Engineer", level=EngineerLevel.MID),
            now=now,
        )
        # Retired: the dispatch tests count on a team they build themselves.
        engineer.active = False
        session.flush()
        made = {
            role: keys.create_key(
                session=session,
                name=f"test {role}",
                role=role,
                customer_id=customer.id if role is Role.customer else None,
                engineer_id=engineer.id if role is Role.engineer else None,
            )
            for role in Role
        }
        session.commit()
    return {role: created.key for role, created in made.items()}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Fleet:
    """A few assets with an hour of one-minute telemetry and scores ending at ``end``."""

    end: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(second=0, microsecond=0)
    )
    assets: tuple[tuple[str, str, str], ...] = (
        ("plant-north", "pump-001", "pump"),
        ("plant-north", "pump-002", "pump"),
        ("plant-south", "chiller-001", "chiller"),
    )
    minutes: int = 60
    # asset -> score multiplier (1.0 = at threshold)
    hot: dict[str, float] = field(default_factory=lambda: {"pump-002": 0.9})

    def points(self) -> Iterator[Point]:
        for site, asset, asset_type in self.assets:
            tags = {"site": site, "asset": asset, "asset_type": asset_type}
            ratio = self.hot.get(asset, 0.2)
            for minute in range(self.minutes):
                ts = self.end - timedelta(minutes=self.minutes - minute)
                ts_ms = int(ts.timestamp() * 1000)
                vib = 2.0 + 0.01 * minute + (3.0 * ratio if minute > self.minutes - 10 else 0.0)
                yield Point(TELEMETRY, tags, {"vibration_rms": vib, "temperature": 50.0}, ts_ms)
                yield Point(
                    ANOMALY_SCORE,
                    {**tags, "detector": "pca"},
                    {
                        "score": 3.0 * (ratio if minute > self.minutes - 10 else 0.2),
                        "threshold": 3.0,
                    },
                    ts_ms,
                )

    def write(self, store: TelemetryStore) -> Fleet:
        store.write(list(self.points()))
        return self


def decision(
    asset: str = "pump-002",
    *,
    site: str = "plant-north",
    asset_type: str = "pump",
    fault_code: str = "mechanical",
    score: float = 6.0,
    at: datetime | None = None,
    failure: tuple[datetime, datetime, datetime | None] | None = None,
    rul_source: str | None = None,
) -> Decision:
    """``failure``: the predicted failure time and its interval (at, low, high);
    ``rul_source``: which estimate gave it ("learned" or "trend")."""
    at_, low, high = failure or (None, None, None)
    return Decision(
        site=site,
        asset=asset,
        asset_type=asset_type,
        at=at or datetime.now(UTC),
        fault_code=fault_code,
        score=score,
        threshold=3.0,
        is_anomalous=True,
        detector="pca",
        model_version="pump-v3",
        contributions={"vibration_rms": 0.71, "temperature": 0.18},
        predicted_failure_at=at_,
        predicted_failure_low=low,
        predicted_failure_high=high,
        rul_source=rul_source,
    )


def open_work_order(factory: sessionmaker[Session], **kwargs: Any) -> WorkOrder:
    with factory() as session:
        opened = from_alerts.open_for_alert(
            session=session, decision=decision(**kwargs), now=datetime.now(UTC)
        )
        session.commit()
        return opened.work_order


def fire_alert(
    factory: sessionmaker[Session], asset: str = "pump-002", *, windows: int = 4
) -> None:
    """Feed the alert flow enough anomalous windows, a minute apart and ending now, to fire."""
    now = datetime.now(UTC)
    decisions = [
        decision(asset, at=now - timedelta(minutes=windows - 1 - i)) for i in range(windows)
    ]
    handle_decisions(session_factory=factory, decisions=decisions, now=now)
