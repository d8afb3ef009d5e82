"""PM compliance against hand-computed values, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from customers.errors import InvalidInput
from planning.compliance import pm_compliance
from planning.flows import insert_once
from planning.models import OccurrenceStatus, Outcome
from tests.customers.builders import build_org
from tests.planning.builders import plan
from tests.workorders.dbkit import Db

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


def test_pm_compliance_counts_done_within_the_grace_over_what_fell_due(db: Db) -> None:
    with db.factory() as session:
        org = build_org(session, now=T0)
        row = plan(session, now=T0, asset_id=org.pump_1, trigger="calendar", every=7, unit="days",
                   grace_days=7)  # fmt: skip
        other = plan(session, now=T0, name="Other", asset_id=org.pump_2, trigger="calendar",
                     every=7, unit="days", grace_days=0)  # fmt: skip
        cases = [
            # (key, due, status, done) -> expected
            ("A", _day(1, 10), OccurrenceStatus.DONE, _day(1, 12)),  # on time
            ("B", _day(1, 15), OccurrenceStatus.DONE, _day(1, 30)),  # late: after 22 January
            ("C", _day(1, 20), OccurrenceStatus.MISSED, None),  # skipped by a catch-up
            ("D", _day(1, 28), OccurrenceStatus.OPEN, None),  # pending: grace until 4 February
            ("E", _day(1, 5), OccurrenceStatus.OPEN, None),  # missed: grace ended 12 January
            ("F", _day(2, 2), OccurrenceStatus.DONE, _day(2, 2)),  # due after the period
            ("G", None, OccurrenceStatus.DONE, _day(1, 18)),  # hours plan done before it fell due
            ("H", _day(1, 11), OccurrenceStatus.CANCELLED, None),  # plan deactivated: not counted
            ("I", _day(1, 31), OccurrenceStatus.DONE, _day(2, 3)),  # done after as_of: pending
        ]
        for key, due, status, done in cases:
            insert_once(
                session,
                plan_id=row.id,
                asset_id=org.pump_1,
                due_key=key,
                due_at=due,
                generated_at=T0,
                outcome=Outcome.CREATED,
                reason="test",
                checklist=[],
                status=status,
                done_at=done,
            )
        insert_once(session, plan_id=other.id, asset_id=org.pump_2, due_key="X",
                    due_at=_day(1, 10), generated_at=T0, outcome=Outcome.CREATED, reason="test",
                    checklist=[], status=OccurrenceStatus.DONE, done_at=_day(1, 11))  # fmt: skip
        session.commit()
        start, end, as_of = T0, datetime(2026, 2, 1, tzinfo=UTC), _day(1, 31)
        result = pm_compliance(session, start, end, as_of=as_of, plan_id=row.id)
        assert (result.on_time, result.late, result.missed, result.pending) == (2, 1, 2, 2)
        assert result.due == 5
        assert (result.numerator, result.denominator) == (2, 5)
        assert result.share == pytest.approx(0.4)
        # The other plan's one occurrence was late (no grace): the whole fleet is 2 of 6.
        fleet = pm_compliance(session, start, end, as_of=as_of)
        assert (fleet.on_time, fleet.due) == (2, 6)
        # Judged at the end of February, "I" was done in its grace and "D" was missed.
        later = pm_compliance(
            session, start, end, as_of=datetime(2026, 3, 1, tzinfo=UTC), plan_id=row.id
        )
        assert (later.on_time, later.late, later.missed, later.pending) == (3, 1, 3, 0)
        # A site and a customer narrow it the same way (pump-1 is ACME's at plant-a).
        assert pm_compliance(session, start, end, as_of=as_of, customer_id=org.beta).due == 0
        assert pm_compliance(session, start, end, as_of=as_of, site_id=org.plant_a).due == 6
        assert pm_compliance(session, start, start.replace(month=1, day=2)).share is None
        with pytest.raises(InvalidInput):
            pm_compliance(session, end, start)
