"""``vigil serve`` runs the plan job by itself."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from planning.models import Occurrence
from tests.planning.builders import plan
from vigil.service import Service
from vigil.settings import load_settings
from workorders.assets import ensure_asset


@pytest.mark.slow
def test_vigil_serve_opens_a_due_plans_work_by_itself(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path, store="sqlite", session_secret="s" * 40, api_port=0, plans_poll_s=0.5
    )
    with Service(settings, with_collector=False) as running:
        now = datetime.now(UTC)
        with running.sessions() as session:
            asset = ensure_asset(session=session, site="s", asset="a", asset_type="pump", now=now)
            plan(session, now=now, asset_id=asset.id, trigger="calendar", every=1, unit="months",
                 start_on=date.today() + timedelta(days=2), lead_days=5)  # fmt: skip
            session.commit()
        deadline = time.monotonic() + 20
        made: list[Occurrence] = []
        while time.monotonic() < deadline and not made:
            time.sleep(0.2)
            with running.sessions() as session:
                made = list(session.scalars(sa.select(Occurrence)))
    assert len(made) == 1
    assert made[0].work_order_id is not None
