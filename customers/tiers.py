"""Tier proposals from the monthly value (RFM) analysis, and a service manager's decision on them.

The analysis proposes; only a person changes the tier. Accepting applies the proposed tier;
overriding keeps or sets another one and needs a reason. Both go to the tier history (who, when,
from, to, why). A proposal that a service manager overrode is not raised again while the
analysis keeps proposing the same tier and the customer keeps the tier chosen: the override
survives the next monthly runs, and a changed proposal asks again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.errors import Conflict, InvalidInput, NotFound
from customers.models import (
    CustomerTierChange,
    ProposalStatus,
    Tier,
    TierProposal,
    TierSource,
)
from customers.service import get_customer, set_tier

_OVERRIDES = (ProposalStatus.OVERRIDDEN, ProposalStatus.OVERRIDE_KEPT)


def propose(
    *,
    session: Session,
    customer_id: int,
    period: str,
    tier: Tier,
    value_class: str,
    reason: str,
    now: datetime,
) -> TierProposal:
    """The month's proposal for the customer (made once: a second call returns the first)."""
    customer = get_customer(session=session, customer_id=customer_id)
    found = session.scalars(
        sa.select(TierProposal).filter_by(customer_id=customer.id, period=period)
    ).first()
    if found is not None:
        return found
    tier = Tier(tier)
    session.execute(
        sa.update(TierProposal)
        .where(
            TierProposal.customer_id == customer.id,
            TierProposal.status == ProposalStatus.PENDING,
        )
        .values(status=ProposalStatus.SUPERSEDED)
    )
    status = ProposalStatus.PENDING
    if tier is customer.tier:
        status = ProposalStatus.CURRENT
    else:
        last = session.scalars(
            sa.select(TierProposal)
            .where(TierProposal.customer_id == customer.id, TierProposal.status.in_(_OVERRIDES))
            .order_by(TierProposal.created_at.desc(), TierProposal.id.desc())
        ).first()
        if last is not None and last.proposed is tier and last.decided_tier is customer.tier:
            status = ProposalStatus.OVERRIDE_KEPT
    row = TierProposal(
        customer_id=customer.id,
        period=period,
        proposed=tier,
        tier_then=customer.tier,
        value_class=value_class,
        reason=reason[:500],
        created_at=now,
        status=status,
    )
    if status is ProposalStatus.OVERRIDE_KEPT:
        assert last is not None
        row.decided_tier, row.decided_by, row.decided_at = last.decided_tier, last.decided_by, now
        row.decision_reason = f"override of {last.period} kept: {last.decision_reason}"[:500]
    session.add(row)
    session.flush()
    return row


def get_proposal(*, session: Session, proposal_id: int) -> TierProposal:
    row = session.get(TierProposal, proposal_id)
    if row is None:
        raise NotFound(f"no tier proposal {proposal_id}")
    return row


def list_proposals(
    *,
    session: Session,
    customer_id: int | None = None,
    period: str | None = None,
    status: ProposalStatus | None = None,
) -> list[TierProposal]:
    query = sa.select(TierProposal).order_by(TierProposal.period.desc(), TierProposal.customer_id)
    if customer_id is not None:
        query = query.where(TierProposal.customer_id == customer_id)
    if period is not None:
        query = query.where(TierProposal.period == period)
    if status is not None:
        query = query.where(TierProposal.status == ProposalStatus(status))
    return list(session.scalars(query))


def decide(
    *,
    session: Session,
    proposal_id: int,
    actor: str,
    now: datetime,
    tier: Tier | None = None,
    reason: str | None = None,
) -> TierProposal:
    """Accept the proposal (``tier`` None or the proposed one) or override it with ``tier``.

    Only a pending proposal can be decided; an override needs a reason.
    """
    row = get_proposal(session=session, proposal_id=proposal_id)
    if row.status is not ProposalStatus.PENDING:
        by = f" by {row.decided_by} at {row.decided_at:%Y-%m-%d %H:%M}" if row.decided_by else ""
        raise Conflict(f"tier proposal {row.id} ({row.period}) is {row.status.value}{by}")
    chosen = row.proposed if tier is None else Tier(tier)
    note = (reason or "").strip()
    customer = get_customer(session=session, customer_id=row.customer_id)
    if chosen is row.proposed:
        why = f"accepted the {row.period} value analysis ({row.value_class}): {row.reason}"
        source, row.status = TierSource.VALUE_ANALYSIS, ProposalStatus.ACCEPTED
    else:
        if not note:
            raise InvalidInput(
                f"say why {chosen.value} instead of the proposed {row.proposed.value} (reason)"
            )
        why = f"overrode the {row.period} proposal {row.proposed.value}"
        source, row.status = TierSource.MANUAL, ProposalStatus.OVERRIDDEN
    why = f"{why}; {note}" if note else why
    if chosen is customer.tier:
        # Kept as it is: no tier change, but the decision belongs in the history all the same.
        session.add(
            CustomerTierChange(
                customer_id=customer.id,
                tier=chosen,
                previous=customer.tier,
                source=source,
                set_by=actor,
                set_at=now,
                reason=why[:500],
            )
        )
    else:
        set_tier(
            session=session,
            customer_id=customer.id,
            tier=chosen,
            actor=actor,
            now=now,
            source=source,
            reason=why,
        )
    row.decided_tier, row.decided_by, row.decided_at = chosen, actor, now
    row.decision_reason = note[:500] or None
    session.flush()
    return row
