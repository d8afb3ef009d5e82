"""The customer's survey page: no account, no API key, no script. The link's token is the only
credential; showing the form writes nothing (mail scanners follow links), and only the POST
records the answers, once.

A link that is unknown (mistyped or tampered with) answers 404; a used or expired one 410 Gone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.config import ApiConfig
from api.dashboard.auth import form_fields, same_origin
from api.dashboard.views import _page
from api.deps import SessionDep
from customers.errors import InvalidInput
from followup.surveys import outcomes, service
from followup.surveys.models import Survey
from followup.surveys.service import Answers, LinkRefused

router = APIRouter(include_in_schema=False)
_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _render(request: Request, status: int, **context: Any) -> HTMLResponse:
    response = _page(request, "survey.html", user=None, **context)
    response.status_code = status
    # The token is in the URL: never leak it to another site through the Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _form(request: Request, survey: Survey, *, status: int = 200, **context: Any) -> HTMLResponse:
    about = f"the service of {survey.sent_at:%d %B %Y}"
    questions = {name: survey.questions[name] for name in survey.weights}
    return _render(
        request,
        status,
        about=about,
        questions=questions,
        recommend=survey.questions.get("recommend", ""),
        form=context.pop("form", {}),
        **context,
    )


@router.get("/survey/{token}", response_class=HTMLResponse, name="survey_form")
def survey_form(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    try:
        survey = service.open_link(session=session, token=token, now=datetime.now(UTC))
    except LinkRefused as refused:
        return _render(request, _STATUS[refused.reason], refused=refused)
    return _form(request, survey)


def _number(fields: dict[str, str], name: str) -> int | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 2:
        raise InvalidInput(f"{name}: pick one of the numbers shown")
    return int(value)


@router.post("/survey/{token}", response_class=HTMLResponse)
async def survey_answer(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    if not same_origin(request):
        return _render(
            request, 403, refused=LinkRefused("foreign", "This form was sent from another site.")
        )
    fields = await form_fields(request)
    now = datetime.now(UTC)
    config: ApiConfig = request.app.state.config
    policy = outcomes.SurveyPolicy(
        follow_up_person=config.survey_follow_up_person, service_manager=config.service_manager
    )
    try:
        answers = Answers(
            overall=_number(fields, "overall"),
            speed=_number(fields, "speed"),
            competence=_number(fields, "competence"),
            communication=_number(fields, "communication"),
            recommend=_number(fields, "recommend"),
            comment=fields.get("comment"),
        )
        survey = service.record_answers(session=session, token=token, answers=answers, now=now)
    except LinkRefused as refused:
        return _render(request, _STATUS[refused.reason], refused=refused)
    except InvalidInput as error:
        survey = service.open_link(session=session, token=token, now=now)
        return _form(request, survey, status=422, error=str(error), form=fields)
    outcomes.apply(session=session, survey=survey, policy=policy, now=now)
    return _render(request, 200, thanks=True)
