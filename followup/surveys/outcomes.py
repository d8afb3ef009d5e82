"""What an answered survey's score sets in motion.

4 or more: the customer joins the preferred-customer list. 3 up to 4: a named person gets a
task to call the customer. Below 3: the service manager gets a review task and an escalation,
and a second visit is requested through the service desk's ``follow_up`` channel, which opens
(or joins) a work order like any other request. A later survey below 4 takes the customer off
the preferred list: the list is the customers whose latest answer scored 4 or more.

The escalation is a stored record (``survey_escalations``) that the API lists until the service
manager acknowledges it, and a mail to the service managers' addresses sent from it by
``followup.surveys.mail`` through ``notify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.assets import get_asset
from customers.errors import NotFound
from customers.models import Customer
from followup.surveys import tasks
from followup.surveys.models import Escalation, PreferredCustomer, Survey, TaskKind
from followup.surveys.scoring import Outcome
from workorders.requests.models import Category, Channel
from workorders.requests.service import RequestData, raise_request
from workorders.service import get_work_order

# The problem code of the second visit's work order: requests for it join one open work order.
SECOND_VISIT_PROBLEM = "survey_review"
RESPOND_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    """Who acts on a survey's outcome (from the settings)."""

    follow_up_person: str = "customer care"
    service_manager: str = "service manager"


def apply(*, session: Session, survey: Survey, policy: SurveyPolicy, now: datetime) -> Survey:
    """Carry out the outcome of an answered survey (the caller commits with the answers)."""
    if survey.outcome is None or survey.score is None:
        return survey  # nothing rated: no decision to act on
    actor = f"vigil (survey {survey.id})"
    asset = get_asset(session=session, asset_id=survey.asset_id)
    about = _about(session, survey)
    preferred = session.get(PreferredCustomer, survey.customer_id)
    if survey.outcome is Outcome.PREFERRED:
        if preferred is None:
            session.add(
                PreferredCustomer(
                    customer_id=survey.customer_id,
                    since=now,
                    survey_id=survey.id,
                    score=survey.score,
                )
            )
        else:
            preferred.survey_id, preferred.score = survey.id, survey.score
        session.flush()
        return survey
    if preferred is not None:
        session.delete(preferred)
    if survey.outcome is Outcome.FOLLOW_UP:
        survey.follow_up_person = policy.follow_up_person
        tasks.create_task(
            session=session,
            kind=TaskKind.SURVEY_CALL,
            asset=asset,
            due_key=f"survey:{survey.id}",
            due_at=now + RESPOND_WITHIN,
            title=f"Call the customer: survey scored {survey.score:g}{about}",
            assignee=policy.follow_up_person,
            actor=actor,
            now=now,
            work_order_id=survey.work_order_id,
            survey_id=survey.id,
        )
        session.flush()
        return survey
    reason = f"survey {survey.id} scored {survey.score:g} (below 3){about}"
    raised = raise_request(
        session=session,
        data=RequestData(
            channel=Channel.FOLLOW_UP,
            category=Category.TROUBLESHOOTING,
            description=f"Second visit: {reason}."
            + (f"\nThe customer wrote: {survey.comment}" if survey.comment else ""),
            asset_id=asset.id,
            fault_code=SECOND_VISIT_PROBLEM,
            contact_id=survey.contact_id,
        ),
        actor=actor,
        now=now,
    )
    survey.second_visit_id = raised.work_order.id
    survey.follow_up_person = policy.service_manager
    tasks.create_task(
        session=session,
        kind=TaskKind.SURVEY_REVIEW,
        asset=asset,
        due_key=f"survey:{survey.id}",
        due_at=now + RESPOND_WITHIN,
        title=f"Review: {reason}; second visit {raised.work_order.number}"[:300],
        assignee=policy.service_manager,
        actor=actor,
        now=now,
        work_order_id=survey.work_order_id,
        survey_id=survey.id,
    )
    session.add(
        Escalation(
            survey_id=survey.id,
            recipient=policy.service_manager,
            at=now,
            reason=reason,
            next_attempt_at=now,
            attempts=0,
            mailed_to=[],
        )
    )
    session.flush()
    return survey


def _about(session: Session, survey: Survey) -> str:
    if survey.work_order_id is None:
        return ""
    try:
        return f" about {get_work_order(session=session, ref=survey.work_order_id).number}"
    except NotFound:
        return ""


def preferred_customers(*, session: Session) -> list[tuple[PreferredCustomer, str]]:
    rows = session.execute(
        sa.select(PreferredCustomer, Customer.name)
        .join(Customer, Customer.id == PreferredCustomer.customer_id)
        .order_by(Customer.name)
    )
    return [(row, name) for row, name in rows]


def list_escalations(*, session: Session, open_only: bool = True) -> list[Escalation]:
    query = sa.select(Escalation).order_by(Escalation.at.desc(), Escalation.id.desc())
    if open_only:
        query = query.where(Escalation.acknowledged_at.is_(None))
    return list(session.scalars(query))


def acknowledge(*, session: Session, escalation_id: int, actor: str, now: datetime) -> Escalation:
    row = session.get(Escalation, escalation_id)
    if row is None:
        raise NotFound(f"no escalation {escalation_id}")
    if row.acknowledged_at is None:
        row.acknowledged_at, row.acknowledged_by = now, actor
        session.flush()
    return row
