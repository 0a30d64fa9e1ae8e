"""What the chat needs from journeys: why a message was sent, and messages kept for the candidate's next visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.db import as_utc
from assistant.journeys import delivery
from assistant.journeys.models import JourneyRun
from assistant.journeys.scheduler import current_journeys


@dataclass(frozen=True)
class Explanation:
    journey_id: str
    name: str
    reason: str
    sent_at: datetime | None


def explain(*, db_session: Session, journey_id: str | None = None, candidate_id: int | None = None) -> Explanation | None:
    """Returns why a journey message was sent: the named journey, else the candidate's latest one; None if none."""
    sent_at = None
    if journey_id is None and candidate_id is not None:
        run = db_session.scalar(select(JourneyRun).where(JourneyRun.candidate_id == candidate_id, JourneyRun.status == "sent")
                                .order_by(JourneyRun.sent_at.desc(), JourneyRun.id.desc()).limit(1))
        audit_service.record(db_session=db_session, actor=audit_service.candidate_actor(candidate_id=candidate_id),
                             action="read", entity="journey_run", candidate_id=candidate_id, fields=["journey_id", "sent_at"])
        if run is None:
            return None
        journey_id, sent_at = run.journey_id, as_utc(run.sent_at)
    loaded = current_journeys().get(journey_id) if journey_id else None
    if loaded is None:
        return None
    return Explanation(journey_id=journey_id, name=loaded.journey.name, reason=loaded.journey.reason.strip(), sent_at=sent_at)


def take_stored_messages(*, db_session: Session, candidate_id: int, now: datetime) -> list[str]:
    """Returns the texts of chat messages kept for this candidate's next visit (now marked delivered), oldest first."""
    return [message.text for message in delivery.take_stored_chat(db_session=db_session, candidate_id=candidate_id, now=now)]
