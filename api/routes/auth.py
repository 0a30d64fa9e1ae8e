"""Recruiter-inbox sign-in: signed session cookie with expiry, roles, and CSRF tokens for every POST."""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from api.deps import SessionDep
from api.templating import templates
from assistant.inbox import signin_throttle
from assistant.inbox import staff as staff_service
from assistant.inbox.models import StaffUser
from assistant.settings import get_settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["auth"])
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def session_options() -> dict:
    """Returns the options of the signed session-cookie middleware (itsdangerous, settings.session_secret)."""
    settings = get_settings()
    return {"secret_key": settings.secret("session_secret"), "session_cookie": "inbox_session",
            "max_age": settings.staff_session_minutes * 60, "same_site": "strict",
            "https_only": settings.env == "production"}


def csrf_token(request: Request) -> str:
    """Returns this browser session's CSRF token, creating it on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def require_csrf(request: Request) -> None:
    """Rejects a state-changing request whose CSRF token (header or form field) does not match the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        sent = (await request.form()).get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong: reload the page and try again")


def _signed_in(request: Request, db_session) -> StaffUser | None:
    staff_id, login_at = request.session.get("staff_id"), request.session.get("login_at", 0)
    if staff_id is None:
        return None
    if time.time() - login_at > get_settings().staff_session_minutes * 60:
        request.session.pop("staff_id", None)
        return None
    user = staff_service.get(db_session=db_session, staff_id=staff_id)
    if user is not None and not staff_service.session_is_current(user, signed_in_at=login_at):
        request.session.clear()  # the password was reset after this sign-in
        return None
    return user


def api_user(request: Request, db_session: SessionDep) -> StaffUser:
    """The signed-in staff user of a JSON request (401 when not signed in)."""
    user = _signed_in(request, db_session)
    if user is None:
        raise HTTPException(status_code=401, detail="sign in at /login first")
    return user


def page_user(request: Request, db_session: SessionDep) -> StaffUser:
    """The signed-in staff user of a page request (redirect to the sign-in page when not signed in)."""
    user = _signed_in(request, db_session)
    if user is None:
        raise HTTPException(status_code=303, headers={"Location": f"/login?next={request.url.path}"})
    return user


CurrentStaff = Annotated[StaffUser, Depends(api_user)]
PageStaff = Annotated[StaffUser, Depends(page_user)]


def _role_guards(allowed: Callable[[StaffUser], bool], refusal: str) -> tuple[Any, Any]:
    """Returns the (JSON API, page) dependencies for a signed-in user whose role passes ``allowed`` (403 else)."""

    def check(user: StaffUser) -> StaffUser:
        if not allowed(user):
            raise HTTPException(status_code=403, detail=refusal)
        return user

    def api(user: CurrentStaff) -> StaffUser:
        return check(user)

    def page(user: PageStaff) -> StaffUser:
        return check(user)

    return Annotated[StaffUser, Depends(api)], Annotated[StaffUser, Depends(page)]


# Recruiters and admins (403 for content owners); content owners and admins (403 for recruiters).
TicketReader, PageTicketReader = _role_guards(staff_service.can_read_tickets, "your role cannot read tickets")
KnowledgeManager, PageKnowledgeManager = _role_guards(staff_service.can_manage_knowledge,
                                                      "your role cannot manage the knowledge base")
AnalyticsReader, PageAnalyticsReader = _role_guards(staff_service.can_read_analytics, "your role cannot read analytics")
AuditReader, PageAuditReader = _role_guards(staff_service.can_read_audit, "your role cannot read the bias audit")
PrivacyOfficer, PagePrivacyOfficer = _role_guards(staff_service.can_handle_data_requests,
                                                  "your role cannot export or erase candidate data")
FeatureAdmin, PageFeatureAdmin = _role_guards(staff_service.can_switch_ai_features, "only an admin can switch AI features")
CsrfChecked = Depends(require_csrf)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/inbox"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return templates.TemplateResponse(request, "inbox/login.html", {"csrf": csrf_token(request), "next": _safe_next(next)})


@router.post("/login", include_in_schema=False, dependencies=[CsrfChecked])
def login(
    request: Request, db_session: SessionDep, email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/inbox",
):
    client = request.client.host if request.client else "unknown"
    context = {"csrf": csrf_token(request), "next": _safe_next(next), "email": email}
    wait = signin_throttle.begin_attempt(db_session=db_session, email=email, client=client)
    if wait:  # checked before the password, so guessing on a locked address learns nothing
        log.warning("inbox sign-in refused: too many failures (%d s left)", wait)
        minutes = -(-wait // 60)
        context["error"] = (f"Too many failed sign-ins. Try again in {minutes} minute{'s' if minutes > 1 else ''}, "
                            "or ask an administrator to reset your password.")
        return templates.TemplateResponse(request, "inbox/login.html", context, status_code=429,
                                          headers={"Retry-After": str(wait)})
    user = staff_service.authenticate(db_session=db_session, email=email, password=password)
    if user is None:  # the attempt begun above stays recorded as the failure
        context["error"] = "That e-mail and password don't match an active account."
        return templates.TemplateResponse(request, "inbox/login.html", context, status_code=401)
    signin_throttle.clear(db_session=db_session, email=email)
    request.session.clear()  # a new session (and CSRF token) on sign-in
    request.session.update({"staff_id": user.id, "login_at": time.time(), "csrf": secrets.token_urlsafe(32)})
    home = staff_service.home_page(user)
    target = _safe_next(next) if staff_service.can_read_tickets(user) or next.startswith(home) else home
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[CsrfChecked])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


class Me(BaseModel):
    id: int
    name: str
    email: str
    role: str
    csrf_token: str


@router.get("/api/me", response_model=Me, tags=["inbox"])
def me(request: Request, user: CurrentStaff) -> Me:
    """The signed-in staff user and the CSRF token to send as X-CSRF-Token with every POST."""
    return Me(id=user.id, name=user.name, email=user.email, role=user.role, csrf_token=csrf_token(request))
