"""The candidate NPS answer page: a signed link from the journey's e-mail opens one 0-10 question and an
optional comment (masked like the gap report). A GET never records anything (mail scanners open links)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.routes.site import _page, _site_context
from assistant.analytics import feedback
from assistant.identity import service as identity_service

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Query(max_length=2000)]


@router.get("/feedback/nps", response_class=HTMLResponse)
def nps_page(request: Request, db_session: SessionDep, settings: SettingsDep, token: Token = ""):
    context = _site_context(request, db_session, settings) | {"token": token, "scores": range(11)}
    try:
        survey = feedback.read_nps_token(token)
    except identity_service.InvalidToken:
        return _page(request, "site/nps.html", context | {"invalid": True}, status_code=400)
    if feedback.get_nps_response(db_session=db_session, survey_key=survey.survey_key) is not None:
        context["done"] = True
    return _page(request, "site/nps.html", context)


@router.post("/feedback/nps", response_class=HTMLResponse)
def nps_answer(request: Request, db_session: SessionDep, settings: SettingsDep,
               token: Annotated[str, Form(max_length=2000)] = "", score: Annotated[str, Form(max_length=2)] = "",
               comment: Annotated[str, Form(max_length=feedback.MAX_COMMENT_CHARS)] = ""):
    context = _site_context(request, db_session, settings) | {"token": token, "scores": range(11), "comment": comment}
    if not score.isdigit():
        return _page(request, "site/nps.html", context | {"error": "Please pick a number from 0 to 10."}, status_code=422)
    try:
        feedback.record_nps(db_session=db_session, token=token, score=int(score), comment=comment)
    except identity_service.InvalidToken:
        return _page(request, "site/nps.html", context | {"invalid": True}, status_code=400)
    except feedback.FeedbackError as error:
        return _page(request, "site/nps.html", context | {"error": str(error).split(": ", 1)[-1]}, status_code=422)
    return _page(request, "site/nps.html", context | {"done": True})
