"""One-click unsubscribe from one journey or from all, with the signed links job alerts use.

The token is a candidate token for the narrow audience ``journeys-unsubscribe:<journey id>`` (or ``:*``), made
and checked by ``assistant.identity.service`` like the job-alert link: it unsubscribes from that journey and
is good for nothing else. The page and the RFC 8058 one-click POST are the job alerts' (``/alerts/unsubscribe``
with ``journey=``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.candidates.models import Candidate
from assistant.identity import service as identity_service
from assistant.jobs.alerts import UNSUBSCRIBE_DAYS
from assistant.journeys.models import JourneyOptOut

ALL = "*"
AUDIENCE = "journeys-unsubscribe"


def token(*, candidate_external_id: str, journey_id: str, now: datetime | None = None) -> str:
    """Returns a signed link token that unsubscribes this candidate from one journey (or "*" for all)."""
    return identity_service.issue_token(candidate_external_id=candidate_external_id, audience=f"{AUDIENCE}:{journey_id}",
                                        ttl_minutes=UNSUBSCRIBE_DAYS * 24 * 60, now=now)


def opt_out(*, db_session: Session, candidate: Candidate, journey_id: str) -> JourneyOptOut:
    """Returns the candidate's opt-out of a journey (or of all), recording it once (audited)."""
    existing = db_session.scalar(select(JourneyOptOut).where(JourneyOptOut.candidate_id == candidate.id,
                                                             JourneyOptOut.journey_id == journey_id))
    if existing is not None:
        return existing
    row = JourneyOptOut(candidate_id=candidate.id, journey_id=journey_id)
    try:
        with db_session.begin_nested():  # a double click on two replicas records it once
            db_session.add(row)
            db_session.flush()
    except IntegrityError:
        return db_session.scalar(select(JourneyOptOut).where(JourneyOptOut.candidate_id == candidate.id,
                                                             JourneyOptOut.journey_id == journey_id))
    audit_service.record(db_session=db_session, actor=audit_service.candidate_actor(candidate_id=candidate.id, channel="email"),
                         action="create", entity="journey_opt_out", entity_id=journey_id, candidate_id=candidate.id,
                         fields=["journey_id"])
    return row


def unsubscribe(*, db_session: Session, token_value: str, journey_id: str) -> Candidate:
    """Returns the candidate of a valid link, now unsubscribed from the journey (raises InvalidToken)."""
    external_id = identity_service.verify_token(token_value, audience=f"{AUDIENCE}:{journey_id}")
    candidate = db_session.scalar(select(Candidate).where(Candidate.external_id == external_id))
    if candidate is None:
        raise identity_service.InvalidToken("no such candidate")
    opt_out(db_session=db_session, candidate=candidate, journey_id=journey_id)
    return candidate
