"""Behaviour events from the career site (POST /api/events): validated, append-only, rate limited.

A signed candidate token (``candidate_token`` in the body or ``Authorization: Bearer``) records the
events for that verified candidate (and merges the visitor id into them); otherwise ``visitor_id``
records them for an anonymous visitor. A bad token is refused, never downgraded to a visitor. A visitor id
must be one the server issued (``POST /api/visitor``, ``assistant.events.visitors``); others are refused.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request, status
from sqlalchemy import select

from api.deps import SessionDep
from assistant.audit import service as audit_service
from assistant.candidates.models import Candidate
from assistant.events import service as events_service
from assistant.events.limits import RateLimiter
from assistant.events import visitors
from assistant.events.schemas import EventBatch, EventsAccepted, VisitorIssued
from assistant.identity import service as identity_service

EVENTS_PER_MINUTE = 120  # per candidate or visitor
REQUESTS_PER_MINUTE = 300  # per client address
subject_limiter = RateLimiter(limit=EVENTS_PER_MINUTE)
client_limiter = RateLimiter(limit=REQUESTS_PER_MINUTE)


router = APIRouter(prefix="/api", tags=["behaviour events"])


def _invalid(loc: list[str], message: str) -> HTTPException:
    """Returns a 422 in the documented shape of validation errors (HTTPValidationError)."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{"loc": loc, "msg": message, "type": "value_error"}])


def _limit(limiter: RateLimiter, key: str, cost: int) -> None:
    if not limiter.allow(key, cost):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many events; slow down",
                            headers={"Retry-After": str(limiter.retry_after(key))})


@router.post("/visitor", response_model=VisitorIssued, status_code=status.HTTP_201_CREATED)
def post_visitor(request: Request) -> VisitorIssued:
    """Issues a new signed anonymous visitor id (the career site keeps it and sends it with its events)."""
    _limit(client_limiter, request.client.host if request.client else "unknown", 1)
    return VisitorIssued(visitor_id=visitors.issue())


@router.post("/events", response_model=EventsAccepted, status_code=status.HTTP_201_CREATED)  # body: api.body_limit
def post_events(batch: EventBatch, request: Request, db_session: SessionDep,
                authorization: Annotated[str | None, Header()] = None) -> EventsAccepted:
    """Stores the events for the verified candidate or the anonymous visitor."""
    _limit(client_limiter, request.client.host if request.client else "unknown", 1)
    token = batch.candidate_token
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Authorization must be 'Bearer <candidate token>'")
        token = value.strip()
    candidate = None
    if token:
        try:
            external_id = identity_service.verify_token(token)
        except identity_service.InvalidToken:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the candidate token is invalid or expired") from None
        candidate = db_session.scalar(select(Candidate).where(Candidate.external_id == external_id))
        if candidate is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the candidate token names no known candidate")
    elif not batch.visitor_id:
        raise _invalid(["body", "visitor_id"], "send a candidate token or a visitor_id")
    if batch.visitor_id and not visitors.is_signed(batch.visitor_id):
        raise _invalid(["body", "visitor_id"], "not a visitor id this server issued: get one from POST /api/visitor")
    subject = f"candidate:{candidate.id}" if candidate else f"visitor:{batch.visitor_id}"
    _limit(subject_limiter, subject, len(batch.events))
    actor = audit_service.candidate_actor(candidate_id=candidate.id, channel="career_site") if candidate else None
    try:
        if candidate is not None and batch.visitor_id:
            events_service.merge_visitor(db_session=db_session, visitor_id=batch.visitor_id, candidate_id=candidate.id, actor=actor)
        events_service.record_events(db_session=db_session, events=batch.events, actor=actor,
                                     candidate_id=candidate.id if candidate else None, visitor_id=batch.visitor_id)
    except events_service.UnknownJobs as error:
        raise _invalid(["body", "events"], str(error)) from None
    return EventsAccepted(accepted=len(batch.events), subject="candidate" if candidate else "visitor")
