"""The content owners' page: the served knowledge index, problems in the Markdown, and what candidates asked
that the assistant could not answer (or found unhelpful); with a button to publish the folder now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes.auth import CsrfChecked, PageKnowledgeManager, csrf_token
from api.templating import templates
from assistant.knowledge import documents, gaps
from assistant.knowledge import index as index_module
from assistant.knowledge.index import KnowledgeCheckFailed, KnowledgeUnavailable
from assistant.settings import get_settings

router = APIRouter(prefix="/inbox/knowledge", include_in_schema=False)
Days = Annotated[int, Query(ge=1, le=365)]


def _context(request: Request, db_session, user, days: int, problems: list[documents.Problem] | None = None,
             **extra) -> dict:
    """Returns the page's data; ``problems`` are the check's, when a failed publish has just found them."""
    settings = get_settings()
    try:
        served = index_module.served()
        titles = {s.doc_path: s.doc_title for s in served.sections}
    except KnowledgeUnavailable:
        served, titles = None, {}
    report = gaps.report(db_session=db_session, days=days)
    published_at = datetime.fromisoformat(served.manifest["created_at"]) if served else None
    return {"user": user, "csrf": csrf_token(request), "served": served, "titles": titles, "report": report,
            "published_at": published_at,
            "words": gaps.top_words(report), "problems": documents.check(settings.knowledge_dir) if problems is None else problems,
            "folder": settings.knowledge_dir, "watching": settings.watch_knowledge, "days": days, **extra}


@router.get("", response_class=HTMLResponse)
def knowledge_page(request: Request, db_session: SessionDep, user: PageKnowledgeManager, days: Days = 30):
    return templates.TemplateResponse(request, "inbox/knowledge.html", _context(request, db_session, user, days))


@router.post("/reindex", response_class=HTMLResponse, dependencies=[CsrfChecked])
def reindex(request: Request, db_session: SessionDep, user: PageKnowledgeManager, days: Days = 30):
    """Publishes the Markdown folder now (what the watcher does on save); with problems nothing changes."""
    try:
        result = index_module.build()
    except KnowledgeCheckFailed as error:  # the build ran the check already: show its problems
        context = _context(request, db_session, user, days, problems=error.problems, outcome={"failed": True})
        return templates.TemplateResponse(request, "inbox/knowledge.html", context, status_code=422)
    outcome = {"published": result.published, "version": result.version, "embedded": result.embedded}
    context = _context(request, db_session, user, days, outcome=outcome)
    return templates.TemplateResponse(request, "inbox/knowledge.html", context)
