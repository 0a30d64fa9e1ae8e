"""The demo career site: job list, job pages and the chat bubble, as a real career site would embed it.

In development on loopback (``settings.demo_allowed``) the site has a "view as demo candidate" switch for
the shipped demo candidates only: it remembers the choice in a signed cookie and, like a real career site,
signs a short-lived candidate token server-side for the widget. Anywhere else the switch does not exist and
every visitor is anonymous.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep
from api.templating import templates
from assistant.candidates import demo as candidates_demo
from assistant.candidates.models import Candidate
from assistant.identity import service as identity_service
from assistant.knowledge import documents
from assistant.jobs import service as jobs_service
from assistant.jobs.models import Job
from assistant.settings import Settings

router = APIRouter(tags=["career site"], include_in_schema=False)

DEMO_COOKIE = "demo_candidate"
DEMO_CANDIDATES_SHOWN = 8
WORKPLACES = ("remote", "hybrid", "onsite")
PAGE_SIZE = 20


def _signer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret("session_secret"), salt="demo-candidate")


def _demo_enabled(settings: Settings) -> bool:
    return settings.demo_allowed


def _demo_candidate_exists(db_session, external_id: str) -> bool:
    return external_id in candidates_demo.demo_ids() and \
        db_session.scalar(select(Candidate.id).where(Candidate.external_id == external_id)) is not None


def _signed_in_external_id(request: Request, settings: Settings) -> str | None:
    """Returns the demo candidate chosen in this browser (outside production), or None."""
    raw = request.cookies.get(DEMO_COOKIE)
    if not raw or not _demo_enabled(settings):
        return None
    try:
        value = _signer(settings).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _site_context(request: Request, db_session, settings: Settings) -> dict:
    """Returns what every site page needs: settings, the signed-in demo candidate and the widget's config."""
    external_id = _signed_in_external_id(request, settings)
    if external_id is not None and not _demo_candidate_exists(db_session, external_id):
        external_id = None  # the demo data was reloaded without this candidate
    token = identity_service.issue_token(candidate_external_id=external_id) if external_id else None
    demo_ids = []
    if _demo_enabled(settings):
        demo_ids = list(db_session.scalars(
            select(Candidate.external_id).where(Candidate.external_id.in_(candidates_demo.demo_ids()))
            .order_by(Candidate.id).limit(DEMO_CANDIDATES_SHOWN)))
    site_origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.privacy_url)) if settings.privacy_url else ""
    return {
        "settings": settings,
        "demo_enabled": _demo_enabled(settings),
        "demo_candidates": demo_ids,
        "signed_in": external_id,
        "widget_config": {
            "serverUrl": settings.rasa_public_url,
            "apiUrl": "",
            "title": f"{settings.company_name} careers assistant",
            "privacyUrl": settings.privacy_url,
            "maxMessageChars": settings.max_message_chars,
            "candidateToken": token,
            # Links to the production career site (knowledge-base sources, privacy notice) open this demo site.
            "siteOrigin": site_origin,
        },
        "path": request.url.path,
    }


def salary_text(job: Job) -> str:
    """Returns the salary range as shown to candidates, e.g. "EUR 55,000–70,000", or ""."""
    if job.salary_min and job.salary_max:
        return f"{job.currency} {job.salary_min:,}–{job.salary_max:,}"
    if job.salary_min or job.salary_max:
        return f"{job.currency} {(job.salary_min or job.salary_max):,}"
    return ""


def location_text(job: Job) -> str:
    """Returns "City, Country" (or whichever part is known)."""
    return ", ".join(part for part in (job.city, job.country) if part) or "Anywhere"


def _page(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """Renders a site page; pages carrying a signed candidate token are never cached."""
    headers = {"Cache-Control": "no-store"} if context["widget_config"]["candidateToken"] else None
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


@router.get("/", response_class=HTMLResponse)
def job_list(request: Request, db_session: SessionDep, settings: SettingsDep,
             q: Annotated[str, Query(max_length=200)] = "", workplace: str = "",
             page: Annotated[int, Query(ge=1, le=1000)] = 1) -> HTMLResponse:
    """The career site's home: open jobs, filterable by words and workplace, PAGE_SIZE per page."""
    jobs = jobs_service.list_open_jobs(db_session=db_session)
    words = [w for w in q.lower().split() if w][:10]
    if words:
        jobs = [j for j in jobs if all(w in f"{j.title} {j.department} {j.city or ''} {' '.join(j.skills)}".lower() for w in words)]
    if workplace in WORKPLACES:
        jobs = [j for j in jobs if j.workplace == workplace]
    pages = max(1, -(-len(jobs) // PAGE_SIZE))
    page = min(page, pages)
    context = _site_context(request, db_session, settings) | {
        "jobs": jobs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(jobs), "page": page, "pages": pages,
        "q": q, "workplace": workplace if workplace in WORKPLACES else "", "workplaces": WORKPLACES,
        "salary_text": salary_text, "location_text": location_text,
    }
    return _page(request, "site/jobs.html", context)


@router.get("/jobs/{external_id}", response_class=HTMLResponse)
def job_page(external_id: str, request: Request, db_session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """One job: details, a demo apply button, and the chat bubble that knows which job is on screen."""
    job = jobs_service.get_by_external_id(db_session=db_session, external_id=external_id)
    context = _site_context(request, db_session, settings)
    if job is None:
        return _page(request, "site/not_found.html", context, status_code=404)
    context |= {"job": job, "is_open": jobs_service.is_open(job), "salary_text": salary_text, "location_text": location_text}
    return _page(request, "site/job.html", context)


_article_markdown = MarkdownIt("commonmark", {"html": False})


def _anchor(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def article_html(document: documents.Document) -> str:
    """Returns a knowledge-base article as sanitised HTML (raw HTML in the Markdown is never rendered)."""
    parts = []
    for section in document.sections:
        if section.heading != document.title:
            parts.append(f'<h2 id="{_anchor(section.heading)}">{nh3.clean_text(section.heading)}</h2>')
        parts.append(_article_markdown.render(section.markdown))
    return nh3.clean("\n".join(parts), attributes={"h2": {"id"}, "a": {"href", "title"}}, link_rel="noopener noreferrer")


@router.get("/help/{slug}", response_class=HTMLResponse)
def help_article(slug: str, request: Request, db_session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """A careers help article from the knowledge base, so the assistant's source links open on this site."""
    context = _site_context(request, db_session, settings)
    docs, _problems = documents.load(settings.knowledge_dir, lenient=True)
    document = next((d for d in docs if urlsplit(d.url).path.rstrip("/") == f"/help/{slug}"), None)
    if document is None:
        return _page(request, "site/not_found.html", context | {"missing": "article"}, status_code=404)
    context |= {"document": document, "article_html": article_html(document)}
    return _page(request, "site/article.html", context)


def _local_path(path: str) -> str:
    """Returns path if it stays on this site, else "/" (no open redirects)."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


@router.post("/demo/sign-in")
def demo_sign_in(
    db_session: SessionDep, settings: SettingsDep,
    external_id: Annotated[str, Form(max_length=64)], next: Annotated[str, Form(max_length=500)] = "/",
) -> RedirectResponse:
    """Development only: browse the site as a demo candidate (the widget then sends their signed token)."""
    if not _demo_enabled(settings):
        raise HTTPException(status_code=404)
    if not _demo_candidate_exists(db_session, external_id):
        raise HTTPException(status_code=422, detail=f"external_id: no demo candidate {external_id!r}")
    response = RedirectResponse(_local_path(next), status_code=303)
    response.set_cookie(DEMO_COOKIE, _signer(settings).dumps(external_id), httponly=True, samesite="strict",
                        secure=settings.public_url.startswith("https://"))
    return response


@router.post("/demo/sign-out")
def demo_sign_out(next: Annotated[str, Form(max_length=500)] = "/") -> RedirectResponse:
    """Back to an anonymous visitor."""
    response = RedirectResponse(_local_path(next), status_code=303)
    response.delete_cookie(DEMO_COOKIE)
    return response


@router.get("/alerts/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, db_session: SessionDep, settings: SettingsDep,
                     token: Annotated[str, Query(max_length=2000)] = "",
                     journey: Annotated[str, Query(max_length=64)] = ""):
    """Asks to confirm: a GET never changes anything (mail scanners open links). ``journey`` (an id or "*")
    makes it the unsubscribe of a journey's messages instead of job alerts."""
    context = _site_context(request, db_session, settings) | {"token": token, "done": False, "journey": journey}
    return _page(request, "site/unsubscribe.html", context)


@router.post("/alerts/unsubscribe", response_class=HTMLResponse)
def unsubscribe(request: Request, db_session: SessionDep, settings: SettingsDep,
                token: Annotated[str, Form(max_length=2000)] = "", journey: Annotated[str, Form(max_length=64)] = ""):
    """Turns job alerts (or a journey's messages, or all journeys) off for the candidate the signed link was made
    for: from the page's button (token in the form) or a mail client's one-click unsubscribe (RFC 8058: token in
    the URL)."""
    from assistant.jobs import alerts
    from assistant.journeys import unsubscribe as journeys_unsubscribe

    token = token or request.query_params.get("token", "")[:2000]
    journey = journey or request.query_params.get("journey", "")[:64]
    context = _site_context(request, db_session, settings) | {"token": token, "done": True, "journey": journey}
    try:
        if journey:
            journeys_unsubscribe.unsubscribe(db_session=db_session, token_value=token, journey_id=journey)
        else:
            alerts.unsubscribe(db_session=db_session, token=token)
    except identity_service.InvalidToken:
        return _page(request, "site/unsubscribe.html", context | {"invalid": True}, status_code=400)
    return _page(request, "site/unsubscribe.html", context)
