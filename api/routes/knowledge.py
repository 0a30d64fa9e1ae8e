"""Knowledge base over HTTP: search, check and reindex (content owners, with the reindex token), answer feedback.

The API process also watches the Markdown folder when ``watch_knowledge`` is on (local runs), so a saved
edit is published within seconds; production publishes through ``POST /api/knowledge/reindex``.
"""

from __future__ import annotations

import hmac
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, Field

from api.deps import SessionDep, SettingsDep
from api.routes.auth import KnowledgeManager
from assistant.knowledge import documents, gaps, watcher
from assistant.knowledge import index as index_module
from assistant.knowledge import service as knowledge_service
from assistant.knowledge.index import KnowledgeCheckFailed, KnowledgeUnavailable
from assistant.oversight import service as oversight_service


@asynccontextmanager
async def lifespan(_app: FastAPI):
    """Starts the Markdown watcher with the API (when settings.watch_knowledge) and stops it after."""
    running = watcher.start_if_enabled()
    yield
    if running is not None:
        running.stop()


router = APIRouter(prefix="/api/knowledge", tags=["knowledge"], lifespan=lifespan)


def require_reindex_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Allows the request only with ``Authorization: Bearer <reindex_token>``."""
    expected = settings.secret("reindex_token")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="reindex token required", headers={"WWW-Authenticate": "Bearer"})


ContentOwner = [Depends(require_reindex_token)]


class ProblemOut(BaseModel):
    path: str
    line: int
    message: str


class CheckOut(BaseModel):
    ok: bool
    problems: list[ProblemOut]


class ReindexOut(BaseModel):
    version: str
    published: bool
    documents: int
    sections: int
    embedded: int
    seconds: float


class HitOut(BaseModel):
    title: str
    url: str
    doc_path: str
    section: str
    similarity: float


class SearchOut(BaseModel):
    decision: Literal["answer", "clarify", "decline"]
    answer: str | None
    hits: list[HitOut]
    index_version: str


class FeedbackIn(BaseModel):
    answer_id: str = Field(max_length=36)
    conversation_id: str = Field(max_length=128)
    helpful: bool


def _problems(problems: list[documents.Problem]) -> list[ProblemOut]:
    return [ProblemOut(path=p.path, line=p.line, message=p.message) for p in problems]


@router.get("/check", dependencies=ContentOwner)
def check(settings: SettingsDep) -> CheckOut:
    """Checks every Markdown file; each problem names its file and line."""
    problems = documents.check(settings.knowledge_dir)
    return CheckOut(ok=not problems, problems=_problems(problems))


@router.post("/reindex", dependencies=ContentOwner, responses={422: {"model": CheckOut}})
def reindex() -> ReindexOut:
    """Builds and publishes a new index version; with problems, nothing changes and 422 lists them."""
    try:
        result = index_module.build()
    except KnowledgeCheckFailed as error:
        raise HTTPException(status_code=422, detail=CheckOut(ok=False, problems=_problems(error.problems)).model_dump())
    return ReindexOut(**result.__dict__)


@router.get("/search")
def search(q: Annotated[str, Query(min_length=1, max_length=1000)], db_session: SessionDep) -> SearchOut:
    """Searches the knowledge base the way the chat does: an answer, did-you-mean choices, or a decline
    (503 while an admin has switched knowledge answers off)."""
    if not oversight_service.is_enabled(db_session=db_session, feature="knowledge_answers"):
        raise HTTPException(status_code=503, detail="knowledge answers are switched off")
    try:
        result = knowledge_service.search(query=q)
    except KnowledgeUnavailable:
        raise HTTPException(status_code=503, detail="the knowledge index is not available")
    answer = knowledge_service.answer_text(result.best) if result.decision == "answer" else None
    hits = [HitOut(title=h.title, url=h.url, doc_path=h.doc_path, section=h.section.heading,
                   similarity=round(h.similarity, 4)) for h in result.hits]
    return SearchOut(decision=result.decision, answer=answer, hits=hits, index_version=result.index_version)


class AskedOut(BaseModel):
    question: str
    count: int
    last_asked: datetime


class UnhelpfulOut(BaseModel):
    question: str
    doc_path: str
    section: str
    at: datetime


class ArticleUseOut(BaseModel):
    doc_path: str
    answers: int
    helpful: int
    unhelpful: int


class GapsOut(BaseModel):
    days: int
    answered: int
    clarified: int
    declined: int
    declined_questions: list[AskedOut]
    unhelpful_answers: list[UnhelpfulOut]
    articles: list[ArticleUseOut]


@router.get("/gaps", response_model=GapsOut)
def knowledge_gaps(db_session: SessionDep, _user: KnowledgeManager,
                   days: Annotated[int, Query(ge=1, le=365)] = 30) -> GapsOut:
    """Unanswered questions (personal details masked), answers marked unhelpful and answers per article.

    For content owners and admins signed in to the inbox (the page is ``/inbox/knowledge``)."""
    return GapsOut.model_validate(asdict(gaps.report(db_session=db_session, days=days)))


@router.post("/feedback")
def feedback(body: FeedbackIn, db_session: SessionDep) -> dict:
    """Records the widget's thumbs up/down on an answer given in this conversation."""
    try:
        entry = knowledge_service.record_feedback(db_session=db_session, answer_id=body.answer_id,
                                                  conversation_id=body.conversation_id, helpful=body.helpful)
    except knowledge_service.AnswerNotFound as error:
        raise HTTPException(status_code=404, detail=str(error))
    return {"answer_id": entry.id, "helpful": entry.helpful}
