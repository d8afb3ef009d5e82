"""The monthly value analysis on the known-answer fixture, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from customers import service as customers
from customers import tiers
from customers.errors import Conflict, InvalidInput
from customers.models import ProposalStatus, Tier, TierSource
from reports.value import service
from reports.value.scheduled import monthly_value_run
from tests.reports.value import fixture
from tests.reports.value.fixture import Customers, build
from tests.workorders.dbkit import Db

DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
JAN_1 = datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
MANAGER = "Mia (key 7, service_manager)"


def _built(db: Db) -> Customers:
    with db.factory() as session, session.begin():
        return build(session)


def test_november_scores_classes_and_proposals_match_the_hand_computed_answers(db: Db) -> None:
    c = _built(db)
    run = monthly_value_run(session_factory=db.factory, now=DEC_1, rules=fixture.RULES)
    assert (run.period, run.scored) == ("2026-11", 5)
    with db.factory() as session:
        rows = {r.customer_id: r for r in service.scores_of(session=session, period="2026-11")}
        got = {
            cid: (
                r.recency_days,
                r.frequency,
                r.monetary,
                (r.r_score, r.f_score, r.m_score),
                r.value_class,
                r.proposed_tier,
            )
            for cid, r in rows.items()
        }
        proposals = {p.customer_id: p for p in tiers.list_proposals(session=session)}
    assert got == {
        c.alpha: (0, 7, Decimal("74942.47"), (5, 4, 4), "high_value", Tier.VIP),
        c.beta: (76, 1, Decimal("30000.00"), (5, 2, 3), "potential", Tier.STANDARD),
        c.gamma: (518, 1, Decimal("5808.22"), (2, 2, 2), "lost", Tier.BASIC),
        c.delta: (173, 1, Decimal("600.00"), (4, 2, 1), "ordinary", Tier.STANDARD),
        c.epsilon: (None, 0, Decimal("0.00"), (1, 1, 1), "lost", Tier.BASIC),
    }
    assert {cid: p.status for cid, p in proposals.items()} == {
        c.alpha: ProposalStatus.PENDING,
        c.beta: ProposalStatus.CURRENT,
        c.gamma: ProposalStatus.PENDING,
        c.delta: ProposalStatus.CURRENT,
        c.epsilon: ProposalStatus.PENDING,
    }
    assert proposals[c.alpha].reason.startswith("R 5 (0 days), F 4 (7 in 24 months), M 4")


def test_a_second_run_of_the_month_adds_nothing(db: Db) -> None:
    _built(db)
    monthly_value_run(session_factory=db.factory, now=DEC_1, rules=fixture.RULES)
    again = monthly_value_run(
        session_factory=db.factory, now=DEC_1.replace(hour=9), rules=fixture.RULES
    )
    assert (again.period, again.scored) == ("2026-11", 0)
    with db.factory() as session:
        assert len(service.scores_of(session=session, period="2026-11")) == 5
        assert len(tiers.list_proposals(session=session)) == 5


def test_an_override_survives_the_next_monthly_run_and_an_acceptance_sticks(db: Db) -> None:
    c = _built(db)
    monthly_value_run(session_factory=db.factory, now=DEC_1, rules=fixture.RULES)
    with db.factory() as session, session.begin():
        by_customer = {p.customer_id: p for p in tiers.list_proposals(session=session)}
        with pytest.raises(InvalidInput, match="say why"):
            tiers.decide(
                session=session,
                proposal_id=by_customer[c.gamma].id,
                tier=Tier.STANDARD,
                actor=MANAGER,
                now=DEC_1,
            )
        tiers.decide(
            session=session,
            proposal_id=by_customer[c.gamma].id,
            tier=Tier.STANDARD,
            reason="renewal under negotiation",
            actor=MANAGER,
            now=DEC_1,
        )
        tiers.decide(session=session, proposal_id=by_customer[c.alpha].id, actor=MANAGER, now=DEC_1)
    with db.factory() as session, session.begin(), pytest.raises(Conflict, match="accepted by"):
        tiers.decide(session=session, proposal_id=by_customer[c.alpha].id, actor=MANAGER, now=DEC_1)

    december = monthly_value_run(session_factory=db.factory, now=JAN_1, rules=fixture.RULES)
    assert (december.period, december.scored) == ("2026-12", 5)
    with db.factory() as session:
        gamma = customers.get_customer(session=session, customer_id=c.gamma)
        alpha = customers.get_customer(session=session, customer_id=c.alpha)
        assert (gamma.tier, alpha.tier) == (Tier.STANDARD, Tier.VIP)
        assert alpha.tier_source is TierSource.VALUE_ANALYSIS
        now = {p.customer_id: p for p in tiers.list_proposals(session=session, period="2026-12")}
        assert now[c.gamma].status is ProposalStatus.OVERRIDE_KEPT
        assert now[c.gamma].decided_by == MANAGER
        assert now[c.alpha].status is ProposalStatus.CURRENT
        assert now[c.epsilon].status is ProposalStatus.PENDING
        old = {p.customer_id: p for p in tiers.list_proposals(session=session, period="2026-11")}
        # Epsilon's undecided November proposal gave way to December's.
        assert old[c.epsilon].status is ProposalStatus.SUPERSEDED
        history = customers.tier_history(session=session, customer_id=c.gamma)
        kept = history[-1]
        assert (kept.previous, kept.tier, kept.set_by) == (Tier.STANDARD, Tier.STANDARD, MANAGER)
        assert kept.reason == "overrode the 2026-11 proposal basic; renewal under negotiation"
        change = customers.tier_history(session=session, customer_id=c.alpha)[-1]
        assert (change.previous, change.tier, change.source) == (
            Tier.STANDARD,
            Tier.VIP,
            TierSource.VALUE_ANALYSIS,
        )


def test_a_changed_proposal_asks_again_after_an_override(db: Db) -> None:
    c = _built(db)
    monthly_value_run(session_factory=db.factory, now=DEC_1, rules=fixture.RULES)
    with db.factory() as session, session.begin():
        gamma = tiers.list_proposals(session=session, customer_id=c.gamma)[0]
        tiers.decide(
            session=session,
            proposal_id=gamma.id,
            tier=Tier.VIP,
            reason="strategic account",
            actor=MANAGER,
            now=DEC_1,
        )
    # Bands that make Gamma ordinary: the proposal is now standard, not the overridden basic.
    lenient = replace(fixture.RULES, recency_days=(600, 700, 800, 900))
    monthly_value_run(session_factory=db.factory, now=JAN_1, rules=lenient)
    with db.factory() as session:
        december = tiers.list_proposals(session=session, customer_id=c.gamma, period="2026-12")
        assert [(p.proposed, p.status) for p in december] == [
            (Tier.STANDARD, ProposalStatus.PENDING)
        ]
