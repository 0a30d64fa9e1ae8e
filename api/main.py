"""The FastAPI application: candidate chat page, recruiter inbox, JSON APIs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api.routes import (
    analytics,
    ats,
    audit,
    auth,
    candidates,
    chat,
    events,
    health,
    inbox,
    jobs,
    knowledge,
    knowledge_pages,
    scheduling,
    nps,
    site,
    tickets,
)
from api.body_limit import BodyLimit
from api.security_headers import SecurityHeaders
from assistant import retention
from assistant.jobs import alerts
from assistant.journeys import scheduler as journeys_scheduler
from assistant.logging import configure_logging
from assistant.settings import get_settings

HERE = Path(__file__).parent

configure_logging()
log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background jobs of the API; routers add theirs (the knowledge watcher, delivery of spooled escalations)."""
    async with retention.lifespan(app), alerts.lifespan(app), journeys_scheduler.lifespan(app):
        yield


app = FastAPI(
    title="Candidate assistant API",
    description="Recruiter inbox, knowledge base, candidate record and job APIs of the candidate assistant.",
    version="0.1.0",
    lifespan=lifespan,
)
app.add_middleware(SessionMiddleware, **auth.session_options())  # signed inbox session cookie
app.add_middleware(SecurityHeaders, settings=get_settings())
app.add_middleware(BodyLimit)  # outermost: no body over its limit reaches a route, declared or chunked
# The vendor mount comes first: /static would otherwise shadow it.
app.mount("/static/vendor", StaticFiles(directory=HERE / "web" / "node_modules" / "socket.io-client" / "dist", check_dir=False), name="vendor")
app.mount("/static/chartjs", StaticFiles(directory=HERE / "web" / "node_modules" / "chart.js" / "dist", check_dir=False), name="chartjs")
app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

app.include_router(health.router)
app.include_router(chat.router)
app.include_router(site.router)
app.include_router(auth.router)
app.include_router(inbox.router)
app.include_router(knowledge_pages.router)
app.include_router(tickets.router)
app.include_router(ats.router)
app.include_router(candidates.router)
app.include_router(jobs.ats_router)
app.include_router(events.router)
app.include_router(knowledge.router)
app.include_router(scheduling.ats_router)
app.include_router(scheduling.router)
app.include_router(scheduling.pages)
app.include_router(analytics.router)
app.include_router(analytics.pages)
app.include_router(audit.router)
app.include_router(audit.pages)
app.include_router(nps.router)
