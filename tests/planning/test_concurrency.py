"""Two schedulers at once on PostgreSQL: each due date still makes one occurrence, one work order.

These tests commit for real (two connections), so they build their own asset and plan under
unique names and remove them afterwards.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.models import Asset
from planning import flows, scheduled
from planning.models import MaintenancePlan, Occurrence
from tests.planning.builders import FakeTelemetry, plan
from tests.workorders.dbkit import Db
from workorders.assets import ensure_asset
from workorders.db import in_transaction
from workorders.models import WorkOrder

NOW = datetime(2026, 1, 24, 10, 0, tzinfo=UTC)  # 31 Jan 09:00 UTC minus 7 days, passed


@pytest.fixture
def race(db: Db) -> Iterator[tuple[int, int]]:
    """(plan id, asset id) committed for real; removed with their work orders afterwards."""
    name = f"race-{uuid.uuid4().hex[:8]}"
    with db.committed() as session:
        asset = ensure_asset(session=session, site=name, asset="c-1", asset_type=name, now=NOW)
        row = plan(session, now=NOW, name=name, asset_id=asset.id, trigger="calendar", every=1,
                   unit="months", start_on=date(2026, 1, 31), lead_days=7)  # fmt: skip
        session.commit()
        ids = (row.id, asset.id)
    yield ids
    with db.committed() as session:
        for wo in session.scalars(sa.select(WorkOrder).where(WorkOrder.asset_id == ids[1])):
            session.delete(wo)
        session.execute(sa.delete(MaintenancePlan).where(MaintenancePlan.id == ids[0]))
        session.execute(sa.delete(Asset).where(Asset.id == ids[1]))
        session.commit()


def _together(db: Db, work: Callable[[Session], object]) -> list[object]:
    go = threading.Barrier(2)
    results: list[object] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        go.wait(timeout=10)
        try:
            results.append(in_transaction(db.committed, work))
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def _made(db: Db, plan_id: int) -> tuple[int, int]:
    with db.committed() as session:
        occurrences = session.scalar(
            sa.select(sa.func.count()).select_from(Occurrence).where(Occurrence.plan_id == plan_id)
        )
        work_orders = session.scalar(
            sa.select(sa.func.count())
            .select_from(WorkOrder)
            .join(Occurrence, Occurrence.work_order_id == WorkOrder.id)
            .where(Occurrence.plan_id == plan_id)
        )
    return occurrences or 0, work_orders or 0


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # two concurrent transactions
def test_two_schedulers_running_the_same_plan_at_once_make_one_work_order(
    db: Db, race: tuple[int, int]
) -> None:
    plan_id, _ = race
    reports = [scheduled.RunReport(), scheduled.RunReport()]
    turn = iter(reports)

    def run(session: Session) -> None:
        scheduled.run_plan(
            session=session, plan_id=plan_id, read=FakeTelemetry(), now=NOW, report=next(turn)
        )

    _together(db, run)
    assert sorted(len(r.created) for r in reports) == [0, 1]
    assert _made(db, plan_id) == (1, 1)


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # two concurrent transactions
def test_the_database_refuses_the_second_occurrence_of_a_due_date_even_without_the_lock(
    db: Db, race: tuple[int, int]
) -> None:
    """The progress row's lock is not what keeps a due date single: the unique key is. Two
    transactions generate the same due date directly; the second waits for the first's commit
    and then inserts nothing, so it makes no work order either."""
    plan_id, asset_id = race
    due = flows.Due("2026-01-31", NOW, None, "due 2026-01-31")

    def generate(session: Session) -> bool:
        row = session.get_one(MaintenancePlan, plan_id)
        asset = session.get_one(Asset, asset_id)
        return flows.generate(session=session, plan=row, asset=asset, due=due, now=NOW) is not None

    assert sorted(_together(db, generate)) == [False, True]  # type: ignore[type-var]
    assert _made(db, plan_id) == (1, 1)
