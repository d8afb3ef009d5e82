"""Surveys: sent with a one-time link, answered once by the customer, scored from the weights
copied when it was sent, and the NPS over the answered ones.

The link carries a random token; only its SHA-256 is stored. Showing the form reads nothing but
the survey; only answering (a POST) writes, with one guarded UPDATE, so a link used twice, even
at the same moment, is accepted once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from customers.assets import get_asset
from customers.errors import InvalidInput, NotFound, RecordError
from customers.service import get_contact
from followup.surveys import scoring
from followup.surveys.models import Survey
from followup.surveys.tasks import get_task
from workorders.notices import service as notices
from workorders.service import get_work_order

VALID_FOR = timedelta(days=14)
# token_urlsafe(32): 43 characters of the URL-safe alphabet.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LinkRefused(RecordError):
    """The survey link cannot be used: ``reason`` is unknown (or tampered), used or expired."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Sent:
    survey: Survey
    # The link's secret: given to the caller once, never stored.
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def send_survey(
    *,
    session: Session,
    actor: str,
    now: datetime,
    work_order_id: uuid.UUID | str | None = None,
    task_id: int | None = None,
    contact_id: int | None = None,
    weights: Mapping[str, int] = scoring.WEIGHTS,
    valid_for: timedelta = VALID_FOR,
    link_for: Callable[[str], str] | None = None,
) -> Sent:
    """A survey about a work order or a follow-up task, with its one-time token.

    With ``link_for`` (token -> the form's URL), the invitation is also mailed to the contact
    (or the customer's contact) through the customer notices, after the transaction commits.
    """
    if (work_order_id is None) == (task_id is None):
        raise InvalidInput("a survey is about one work order (work_order_id) or one task (task_id)")
    if not timedelta(hours=1) <= valid_for <= timedelta(days=90):
        raise InvalidInput("a survey link is valid for 1 hour to 90 days")
    try:
        snapshot = scoring.check_weights(weights)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    wo_id: uuid.UUID | None = None
    if work_order_id is not None:
        wo = get_work_order(session=session, ref=work_order_id)
        asset, wo_id = wo.asset, wo.id
    else:
        assert task_id is not None
        task = get_task(session=session, task_id=task_id)
        asset, wo_id = get_asset(session=session, asset_id=task.asset_id), task.work_order_id
    if asset.customer_id is None:
        raise InvalidInput(f"asset {asset.asset} is not on a customer's site record: no one to ask")
    if contact_id is not None:
        get_contact(session=session, contact_id=contact_id, customer_id=asset.customer_id)
    token = secrets.token_urlsafe(32)
    survey = Survey(
        customer_id=asset.customer_id,
        asset_id=asset.id,
        work_order_id=wo_id,
        task_id=task_id,
        contact_id=contact_id,
        token_hash=token_hash(token),
        sent_at=now,
        sent_by=actor,
        expires_at=now + valid_for,
        weights=snapshot,
        questions=dict(scoring.QUESTIONS) | {"recommend": scoring.RECOMMEND},
    )
    session.add(survey)
    session.flush()
    if link_for is not None:
        notices.survey(
            session=session,
            survey_id=survey.id,
            work_order_id=wo_id,
            asset_id=asset.id,
            contact_id=contact_id,
            link=link_for(token),
            expires_at=survey.expires_at,
            now=now,
        )
    return Sent(survey, token)


def open_link(*, session: Session, token: str, now: datetime) -> Survey:
    """The survey behind a link that can still be answered; LinkRefused otherwise."""
    survey = None
    if _TOKEN.match(token):
        survey = session.scalars(
            sa.select(Survey).where(Survey.token_hash == token_hash(token))
        ).first()
    if survey is None:
        raise LinkRefused("unknown", "This survey link is not valid. Check that it is complete.")
    if survey.answered_at is not None:
        raise LinkRefused("used", "This survey has been answered already. Thank you.")
    if survey.expires_at <= now:
        raise LinkRefused("expired", "This survey link has expired.")
    return survey


@dataclass(frozen=True, slots=True)
class Answers:
    overall: int | None = None
    speed: int | None = None
    competence: int | None = None
    communication: int | None = None
    recommend: int | None = None
    comment: str | None = None

    def rated(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in scoring.WEIGHTS}


def record_answers(*, session: Session, token: str, answers: Answers, now: datetime) -> Survey:
    """Store the answers and the score once; the caller then applies the outcome
    (``followup.surveys.outcomes.apply``). LinkRefused for a used, expired or unknown link."""
    survey = open_link(session=session, token=token, now=now)
    try:
        scoring.check_answers(answers.rated(), answers.recommend)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    comment = (answers.comment or "").strip() or None
    if comment is not None and len(comment) > 5000:
        raise InvalidInput("the comment has at most 5000 characters")
    score = scoring.weighted_score(answers.rated(), survey.weights)
    values = answers.rated() | {
        "recommend": answers.recommend,
        "comment": comment,
        "answered_at": now,
        "score": None if score is None else round(float(score), 3),
        "outcome": scoring.outcome_of(score),
    }
    # The guard is the token's single use: of two concurrent answers one updates the row.
    done = session.execute(
        sa.update(Survey)
        .where(Survey.id == survey.id, Survey.answered_at.is_(None), Survey.expires_at > now)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult of an UPDATE
        raise LinkRefused("used", "This survey has been answered already. Thank you.")
    session.refresh(survey)
    return survey


def get_survey(*, session: Session, survey_id: int) -> Survey:
    row = session.get(Survey, survey_id)
    if row is None:
        raise NotFound(f"no survey {survey_id}")
    return row


def list_surveys(
    *,
    session: Session,
    customer_id: int | None = None,
    answered: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[Survey]:
    query = sa.select(Survey).order_by(Survey.sent_at.desc(), Survey.id.desc()).limit(limit)
    if customer_id is not None:
        query = query.where(Survey.customer_id == customer_id)
    if answered is not None:
        query = query.where(
            Survey.answered_at.is_not(None) if answered else Survey.answered_at.is_(None)
        )
    if since is not None:
        query = query.where(Survey.answered_at >= since)
    if until is not None:
        query = query.where(Survey.answered_at < until)
    return list(session.scalars(query))


def nps(
    *,
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    customer_id: int | None = None,
) -> scoring.NpsResult:
    """NPS over the surveys answered in [since, until) that answered the recommend question."""
    query = sa.select(Survey.recommend).where(
        Survey.answered_at.is_not(None), Survey.recommend.is_not(None)
    )
    if since is not None:
        query = query.where(Survey.answered_at >= since)
    if until is not None:
        query = query.where(Survey.answered_at < until)
    if customer_id is not None:
        query = query.where(Survey.customer_id == customer_id)
    return scoring.nps(session.scalars(query))
