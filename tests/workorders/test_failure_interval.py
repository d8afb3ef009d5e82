"""A work order carries its predicted failure time with the 90 % interval, reads as
"fails in 3 to 5 days", and the board puts the soonest predicted failure first."""

from __future__ import annotations

from datetime import timedelta

from api import readmodels
from tests.workorders.dbkit import T0, Db, decision
from workorders import from_alerts
from workorders.failure import fails_in
from workorders.models import Status, document


def test_interval_is_stored_published_and_sorts_the_board(db: Db) -> None:
    with db.factory() as session:
        later = from_alerts.open_for_alert(
            session=session,
            decision=decision(
                asset="pump-1",
                predicted_failure_at=T0 + timedelta(days=12),
                predicted_failure_low=T0 + timedelta(days=9),
                predicted_failure_high=None,
            ),
            now=T0,
        ).work_order
        sooner = from_alerts.open_for_alert(
            session=session,
            decision=decision(
                asset="pump-2",
                predicted_failure_at=T0 + timedelta(days=4),
                predicted_failure_low=T0 + timedelta(days=3),
                predicted_failure_high=T0 + timedelta(days=5),
            ),
            now=T0,
        ).work_order
        unknown = from_alerts.open_for_alert(
            session=session, decision=decision(asset="pump-3"), now=T0
        ).work_order
        session.commit()
        doc = document(sooner)
        assert doc.predicted_failure_low == T0 + timedelta(days=3)
        assert doc.predicted_failure_high == T0 + timedelta(days=5)
        text = fails_in(
            at=sooner.predicted_failure_at,
            low=sooner.predicted_failure_low,
            high=sooner.predicted_failure_high,
            now=T0,
        )
        assert text == "fails in 3 to 5 days"
        assert later.predicted_failure_high is None
        board = readmodels.board(session)[Status.OPEN]
        assert [wo.asset.asset for wo in board] == ["pump-2", "pump-1", "pump-3"]
        assert unknown.predicted_failure_low is None
