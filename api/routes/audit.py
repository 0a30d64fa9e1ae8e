"""Compliance over HTTP: the bias audit (``/api/audit/bias``, page ``/inbox/audit``), the AI feature switches
(admins), and data-subject requests (``/api/privacy/...``, page ``/inbox/privacy``) for the privacy team."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep
from api.routes.auth import (
    AuditReader, CsrfChecked, FeatureAdmin, PageAuditReader, PageFeatureAdmin, PagePrivacyOfficer, PrivacyOfficer, csrf_token,
)
from api.templating import templates
from assistant.analytics.metrics import Period, period_between
from assistant.audit import bias, subject
from assistant.audit.service import Actor
from assistant.candidates.service import NotFound
from assistant.inbox.models import StaffUser
from assistant.oversight import service as oversight_service

router = APIRouter(tags=["compliance"])
pages = APIRouter(include_in_schema=False)
ExternalId = Annotated[str, Field(min_length=1, max_length=64)]


def _period(from_: date | None, to: date | None) -> Period:
    try:
        return period_between(from_, to, default_days=365)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error))


def _bias(db_session, from_: date | None, to: date | None) -> dict:
    period = _period(from_, to)
    return bias.report(db_session=db_session, start=period.start, end=period.end)


FromQ = Annotated[date | None, Query(alias="from", description="First day, YYYY-MM-DD (UTC); default a year ago")]
ToQ = Annotated[date | None, Query(description="Last day, inclusive; default today")]


@router.get("/api/audit/bias")
def bias_report(db_session: SessionDep, _user: AuditReader, from_: FromQ = None, to: ToQ = None) -> dict:
    """Per output, per sex, race/ethnicity and both: counts, selection or scoring rate, impact ratio, excludable."""
    return _bias(db_session, from_, to)


@router.get("/api/audit/bias.txt", response_class=PlainTextResponse)
def bias_printable(db_session: SessionDep, _user: AuditReader, from_: FromQ = None, to: ToQ = None) -> str:
    """The same audit as a printable summary in the shape of published LL144 audits."""
    return bias.printable(_bias(db_session, from_, to))


class SwitchIn(BaseModel):
    feature: Literal["recommendations", "journeys", "knowledge_answers", "all"]
    enabled: bool
    reason: str = Field("", max_length=200, description="Why (optional; kept in the audit log, masked)")


def _switch(db_session, user: StaffUser, feature: str, enabled: bool, reason: str = "") -> None:
    if feature == "all":
        oversight_service.set_all(db_session=db_session, enabled=enabled, changed_by=user.email, actor=_actor(user),
                                  reason=reason)
    else:
        oversight_service.set_enabled(db_session=db_session, feature=feature, enabled=enabled, changed_by=user.email,
                                      actor=_actor(user), reason=reason)


def _switches(db_session) -> dict[str, bool]:
    return {f: s is None or s.enabled for f, s in oversight_service.switches(db_session=db_session).items()}


@router.get("/api/oversight/features")
def features(db_session: SessionDep, _user: AuditReader) -> dict[str, bool]:
    """Which AI features are on."""
    return _switches(db_session)


@router.post("/api/oversight/features", dependencies=[CsrfChecked])
def switch_features(body: SwitchIn, db_session: SessionDep, user: FeatureAdmin) -> dict[str, bool]:
    """Turns one AI feature, or all of them at once, off or on (admins)."""
    _switch(db_session, user, body.feature, body.enabled, body.reason)
    return _switches(db_session)


def _actor(user: StaffUser) -> Actor:
    return Actor(type="staff", id=str(user.id), channel="inbox")


def _tracker(settings) -> str:
    return settings.tracker_store_url


@router.get("/api/privacy/candidates/{external_id}/export")
def export_candidate(external_id: str, db_session: SessionDep, settings: SettingsDep, user: PrivacyOfficer) -> Response:
    """Everything held about one candidate as a JSON download (audited)."""
    try:
        data = subject.export(db_session=db_session, external_id=external_id, actor=_actor(user),
                              tracker_store_url=_tracker(settings))
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error))
    return Response(json.dumps(data, indent=2, default=str), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="candidate-{external_id}.json"'})


class EraseIn(BaseModel):
    confirm: ExternalId = Field(description="The external id again, to confirm")


class EraseOut(BaseModel):
    rows: dict[str, int]
    conversations: int


@router.post("/api/privacy/candidates/{external_id}/erase", dependencies=[CsrfChecked])
def erase_candidate(external_id: str, body: EraseIn, db_session: SessionDep, settings: SettingsDep,
                    user: PrivacyOfficer) -> EraseOut:
    """Deletes everything held about one candidate, Rasa conversations included (audited; cannot be undone)."""
    if body.confirm != external_id:
        raise HTTPException(status_code=422, detail="confirm: type the candidate's external id to confirm")
    try:
        result = subject.erase(db_session=db_session, external_id=external_id, actor=_actor(user),
                               tracker_store_url=_tracker(settings))
    except NotFound as error:
        raise HTTPException(status_code=404, detail=str(error))
    return EraseOut(rows=result.rows, conversations=result.conversations)


@pages.get("/inbox/audit", response_class=HTMLResponse)
def audit_page(request: Request, db_session: SessionDep, user: PageAuditReader, from_: FromQ = None, to: ToQ = None):
    period = _period(from_, to)
    report = bias.report(db_session=db_session, start=period.start, end=period.end)
    return templates.TemplateResponse(request, "inbox/audit.html", {
        "user": user, "csrf": csrf_token(request), "report": report, "switches": _switches(db_session),
        "switch_history": oversight_service.history(db_session=db_session),
        "descriptions": oversight_service.FEATURES, "can_switch": user.role == "admin",
        "form": {"from": period.start.date(), "to": period.last_day}, "excludable": bias.EXCLUDABLE_SHARE,
        "threshold": bias.FOUR_FIFTHS,
    })


@pages.post("/inbox/audit/features", dependencies=[CsrfChecked])
def audit_switch(db_session: SessionDep, user: PageFeatureAdmin,
                 feature: Annotated[Literal["recommendations", "journeys", "knowledge_answers", "all"], Form()],
                 enabled: Annotated[bool, Form()],
                 reason: Annotated[str, Form(max_length=200)] = "") -> RedirectResponse:
    _switch(db_session, user, feature, enabled, reason)
    return RedirectResponse("/inbox/audit#switches", status_code=303)


@pages.get("/inbox/privacy", response_class=HTMLResponse)
def privacy_page(request: Request, user: PagePrivacyOfficer):
    return templates.TemplateResponse(request, "inbox/privacy.html", {"user": user, "csrf": csrf_token(request)})


@pages.get("/inbox/privacy/export")
def privacy_export(db_session: SessionDep, settings: SettingsDep, user: PagePrivacyOfficer,
                   external_id: Annotated[str, Query(min_length=1, max_length=64)]) -> Response:
    """The export as a download, from the privacy page's form."""
    return export_candidate(external_id.strip(), db_session, settings, user)


@pages.post("/inbox/privacy/erase", response_class=HTMLResponse, dependencies=[CsrfChecked])
def privacy_erase(request: Request, db_session: SessionDep, settings: SettingsDep, user: PagePrivacyOfficer,
                  external_id: Annotated[str, Form(max_length=64)], confirm: Annotated[str, Form(max_length=64)] = ""):
    context = {"user": user, "csrf": csrf_token(request), "external_id": external_id}
    if confirm.strip() != external_id.strip():
        context["error"] = "Type the candidate's id a second time to confirm the erasure."
        return templates.TemplateResponse(request, "inbox/privacy.html", context, status_code=422)
    try:
        result = subject.erase(db_session=db_session, external_id=external_id.strip(), actor=_actor(user),
                               tracker_store_url=_tracker(settings))
    except NotFound as error:
        context["error"] = str(error)
        return templates.TemplateResponse(request, "inbox/privacy.html", context, status_code=404)
    context["erased"] = {"rows": sum(result.rows.values()), "tables": len(result.rows), "conversations": result.conversations}
    return templates.TemplateResponse(request, "inbox/privacy.html", context)
