"""Decisions in, alerts and work orders out: what the scoring job calls after each run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from alerts.machine import Machine, Tally, key_of
from alerts.models import LIVE, Alert
from alerts.policy import AlertPolicy
from models.base import Decision
from workorders.db import in_transaction

log = logging.getLogger(__name__)
_CHUNK = 500


def _live_alerts(session: Session, assets: Iterable[str]) -> list[Alert]:
    names = sorted(set(assets))
    found: list[Alert] = []
    for i in range(0, len(names), _CHUNK):
        query = sa.select(Alert).where(
            Alert.state.in_(LIVE), Alert.asset.in_(names[i : i + _CHUNK])
        )
        found.extend(session.scalars(query))
    return found


def handle_decisions(
    *,
    session_factory: sessionmaker[Session],
    decisions: Sequence[Decision],
    now: datetime,
    policy: AlertPolicy | None = None,
) -> Tally:
    """Run the alert state machine over one batch of decisions in one transaction.

    Decisions are applied in time order. Work orders opened here and their outbox rows commit
    together with the alerts, so a crash leaves either all of it or none (the next scoring run
    sends the same evidence again). Errors propagate: the scoring job decides what to do.
    """

    def evaluate(session: Session) -> Tally:
        live = {key_of(a): a for a in _live_alerts(session, (d.asset for d in decisions))}
        machine = Machine(session=session, policy=policy or AlertPolicy(), now=now, live=live)
        for decision in sorted(decisions, key=lambda d: d.at):
            machine.apply(decision)
        return machine.tally

    tally = in_transaction(session_factory, evaluate)
    if tally.created or tally.reopened:
        log.info(
            "alerts: %d fired, work orders created %s, reopened %s",
            tally.fired,
            tally.created,
            tally.reopened,
        )
    return tally
