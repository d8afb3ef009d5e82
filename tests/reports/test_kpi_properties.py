"""Properties of the KPIs on random work histories (hypothesis): shares stay in [0, 1], a share's
numerator never exceeds its denominator, every breakdown's groups add up to its total, and that
total is the one computed without a breakdown."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.kpis import Dimension, compute, parse_period
from tests.reports.kpi_fixture import NOW, at, build
from tests.reports.test_kpis import check_report
from tests.workorders.dbkit import Db
from workorders.models import Kind, Priority, ResolutionCode, Status, WorkOrder


@pytest.fixture
def history_assets(db: Db) -> tuple[Db, dict[str, int]]:
    """The fixture's history, committed: random work is added on top of it in each example and
    rolled back after it."""
    with db.factory() as session:
        history = build(session)
        session.commit()
        return db, {name: a.id for name, a in history.assets.items()}


HOURS = st.floats(min_value=0.0, max_value=400.0, allow_nan=False)

work_order = st.fixed_dictionaries(
    {
        "asset": st.sampled_from(["a1", "a2", "a3"]),
        "created_h": st.floats(min_value=0.0, max_value=24 * 80, allow_nan=False),
        "respond_h": st.none() | HOURS,
        "on_site_h": st.none() | HOURS,
        "resolve_h": st.none() | HOURS,
        "code": st.sampled_from(list(ResolutionCode)),
        "due_h": st.tuples(HOURS, HOURS, HOURS),
        "assignee": st.sampled_from(["ana", "ben", None]),
        "channel": st.sampled_from(["alert", "hotline", "portal"]),
        "visits": st.integers(0, 3),
        "repeat": st.integers(0, 1),
    }
)


def _row(spec: dict[str, Any], asset_id: int, n: int) -> WorkOrder:
    created = at(10, 1) + timedelta(hours=spec["created_h"])
    responded = (
        created + timedelta(hours=spec["respond_h"]) if spec["respond_h"] is not None else None
    )
    on_site = (
        responded + timedelta(hours=spec["on_site_h"])
        if responded and spec["on_site_h"] is not None
        else None
    )
    resolved = (
        (on_site or responded or created) + timedelta(hours=spec["resolve_h"])
        if spec["resolve_h"] is not None
        else None
    )
    r, o, x = sorted(spec["due_h"])
    return WorkOrder(
        id=uuid.uuid4(), number=f"WO-2026-{900000 + n:06d}", change_seq=n, asset_id=asset_id,
        kind=Kind.EQUIPMENT, fault_code=f"f{n}", fault_title="f", detector="d", model_version="m",
        score=1.0, threshold=1.0, top_metrics={}, priority=Priority.NORMAL,
        status=Status.RESOLVED if resolved else Status.OPEN, detected_at=created,
        created_at=created, updated_at=created, respond_by=created + timedelta(hours=r),
        on_site_by=created + timedelta(hours=o), resolve_by=created + timedelta(hours=x),
        responded_at=responded, on_site_at=on_site, resolved_at=resolved,
        resolution_code=spec["code"] if resolved else None, visits=spec["visits"],
        repeat_count=spec["repeat"], reopened_at=created if spec["repeat"] else None,
        assignee=spec["assignee"], channel=spec["channel"], channels=[spec["channel"]],
        suggested_actions=[], suggested_parts=[], parts_used=[], classification=[],
    )  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(work_order, max_size=12))
def test_shares_in_range_and_breakdowns_add_up(
    history_assets: tuple[Db, dict[str, int]], specs: list[dict[str, Any]]
) -> None:
    db, assets = history_assets
    session = db.factory()
    try:
        session.add_all(_row(spec, assets[spec["asset"]], n) for n, spec in enumerate(specs))
        session.flush()
        for label in ("2026-11", "2026Q4"):
            period = parse_period(label)
            whole = compute(session=session, period=period, now=NOW)
            check_report(whole)
            for dimension in Dimension:
                check_report(
                    compute(session=session, period=period, breakdown=dimension, now=NOW),
                    whole=whole,
                )
    finally:
        session.rollback()
        session.close()
