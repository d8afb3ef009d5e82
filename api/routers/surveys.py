"""Surveys: send one (its one-time link is in the answer, only then), list them with their
scores and outcomes, the NPS, the preferred-customer list and the escalations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from api.deps import CurrentKey, PathId, SessionDep, actor, require
from api.models import ApiKey
from api.roles import OPERATE
from followup.surveys import outcomes, scoring, service
from followup.surveys.models import EscalationRead, PreferredRead, SurveyRead

router = APIRouter(prefix="/surveys", tags=["surveys"])
SurveyKey = Annotated[ApiKey, Depends(require(OPERATE, "send surveys or acknowledge escalations"))]
# Ids are 32-bit in the database: larger numbers are a 422, not a driver overflow.
QueryId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such survey, work order, task or contact"},
    422: {"description": "Invalid input"},
}


class SurveySend(BaseModel):
    work_order_id: uuid.UUID | None = Field(default=None, description="The work order it is about")
    task_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Or the follow-up task it is about"
    )
    contact_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The customer's contact asked"
    )
    valid_for_hours: int = Field(default=14 * 24, ge=1, le=90 * 24)
    mail: bool = Field(
        default=True,
        description="E-mail the invitation with the link to the contact (else the customer's "
        "first contact with an address), in their language",
    )


class SurveySent(BaseModel):
    survey: SurveyRead
    link: str = Field(description="The customer's one-time link; shown only in this answer")


@router.post(
    "",
    response_model=SurveySent,
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Send a survey: returns its one-time link for the customer",
)
def send(body: SurveySend, key: SurveyKey, session: SessionDep, request: Request) -> SurveySent:
    sent = service.send_survey(
        session=session,
        actor=actor(key),
        now=datetime.now(UTC),
        work_order_id=body.work_order_id,
        task_id=body.task_id,
        contact_id=body.contact_id,
        valid_for=timedelta(hours=body.valid_for_hours),
        link_for=(lambda token: str(request.url_for("survey_form", token=token)))
        if body.mail
        else None,
    )
    link = str(request.url_for("survey_form", token=sent.token))
    return SurveySent(survey=SurveyRead.model_validate(sent.survey), link=link)


@router.get("", response_model=list[SurveyRead], summary="Surveys, newest first")
def list_surveys(
    key: CurrentKey,
    session: SessionDep,
    customer_id: QueryId = None,
    answered: bool | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[SurveyRead]:
    rows = service.list_surveys(
        session=session,
        customer_id=customer_id,
        answered=answered,
        since=since,
        until=until,
        limit=limit,
    )
    return [SurveyRead.model_validate(r) for r in rows]


class NpsRead(BaseModel):
    answered: int = Field(description="Surveys that answered the recommend question")
    promoters: int = Field(description="Answers of 9 or 10")
    passives: int = Field(description="Answers of 7 or 8")
    detractors: int = Field(description="Answers of 0 to 6")
    nps: float | None = Field(
        description="Share of promoters minus share of detractors, in points (-100 to 100); "
        "null when nobody answered"
    )


@router.get("/nps", response_model=NpsRead, summary="Net Promoter Score of answered surveys")
def net_promoter_score(
    key: CurrentKey,
    session: SessionDep,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    customer_id: QueryId = None,
) -> NpsRead:
    result = service.nps(session=session, since=since, until=until, customer_id=customer_id)
    return NpsRead(
        answered=result.answered,
        promoters=result.promoters,
        passives=result.passives,
        detractors=result.detractors,
        nps=None if result.score is None else round(float(result.score), 1),
    )


@router.get(
    "/preferred-customers",
    response_model=list[PreferredRead],
    summary="Customers whose latest survey scored 4 or more",
)
def preferred(key: CurrentKey, session: SessionDep) -> list[PreferredRead]:
    return [
        PreferredRead(
            customer_id=row.customer_id,
            customer=name,
            since=row.since,
            survey_id=row.survey_id,
            score=row.score,
        )
        for row, name in outcomes.preferred_customers(session=session)
    ]


@router.get(
    "/escalations",
    response_model=list[EscalationRead],
    summary="Surveys below 3 escalated to the service manager (open ones; acknowledged=true: all)",
)
def escalations(
    key: CurrentKey, session: SessionDep, acknowledged: bool = False
) -> list[EscalationRead]:
    rows = outcomes.list_escalations(session=session, open_only=not acknowledged)
    return [EscalationRead.model_validate(r) for r in rows]


@router.post(
    "/escalations/{escalation_id}/acknowledge",
    response_model=EscalationRead,
    responses=_ERRORS,
    summary="The service manager has seen the escalation",
)
def acknowledge(escalation_id: PathId, key: SurveyKey, session: SessionDep) -> EscalationRead:
    row = outcomes.acknowledge(
        session=session, escalation_id=escalation_id, actor=actor(key), now=datetime.now(UTC)
    )
    return EscalationRead.model_validate(row)


class WeightsRead(BaseModel):
    weights: dict[str, int] = Field(description="Percent per question, in the order asked")
    questions: dict[str, str]
    recommend: str


@router.get("/questions", response_model=WeightsRead, summary="The questions and their weights")
def questions(key: CurrentKey) -> WeightsRead:
    return WeightsRead(
        weights=scoring.WEIGHTS, questions=scoring.QUESTIONS, recommend=scoring.RECOMMEND
    )


@router.get("/{survey_id}", response_model=SurveyRead, responses=_ERRORS, summary="One survey")
def get_survey(survey_id: PathId, key: CurrentKey, session: SessionDep) -> SurveyRead:
    return SurveyRead.model_validate(service.get_survey(session=session, survey_id=survey_id))
