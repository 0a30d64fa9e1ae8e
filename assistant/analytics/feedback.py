"""Candidate feedback: the one-question rating at the end of a chat and the NPS answer after a stage outcome.

The NPS question goes out by e-mail through a journey (``journeys/nps-after-outcome.yml``) with a signed
link (audience ``nps``, good for nothing else); the answer page stores one answer per survey. Comments are
masked like the knowledge-gap report (e-mail addresses and long numbers), so staff read only the wording.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.analytics.models import ChatRating, NpsResponse
from assistant.audit import service as audit_service
from assistant.candidates import service as candidates_service
from assistant.identity import service as identity_service
from assistant.knowledge.gaps import redact
from assistant.settings import get_settings

log = logging.getLogger(__name__)
NPS_AUDIENCE = "nps"
NPS_LINK_DAYS = 30
MAX_COMMENT_CHARS = 1000
# Whole answers that mean "no comment" / "skip the rating" (a comment that merely starts with "no" is a comment).
SKIP_ANSWERS = {"skip", "skip it", "skip this", "skip the rating", "skip rating", "i'll skip", "ill skip", "no",
                "nope", "nah", "no thanks", "no thank you", "no comment", "no comments", "nothing", "nothing else",
                "none", "not really", "n/a", "na", "-", "pass", "i'll pass", "all good", "ok", "okay", "thanks", "thank you",
                "bye", "goodbye"}
SKIP_WORD = re.compile(r"\bskip(?:ping)?\b|\bno rating\b|\brather not\b|\bdon'?t want to rate\b|\bpass\b", re.IGNORECASE)


class FeedbackError(ValueError):
    """Bad feedback input; the message names the field."""


def get_chat_rating(*, db_session: Session, conversation_id: str) -> ChatRating | None:
    """Returns this conversation's rating (or skip), or None when it has none."""
    return db_session.scalar(select(ChatRating).where(ChatRating.conversation_id == conversation_id))


def record_chat_rating(*, db_session: Session, conversation_id: str, rating: int | None,
                       candidate_id: int | None = None) -> ChatRating:
    """Returns the conversation's rating; the first answer counts (a later one leaves it unchanged).

    ``rating`` None records that the candidate skipped the question."""
    if rating is not None and not 1 <= rating <= 5:
        raise FeedbackError("rating: must be 1 to 5")
    existing = get_chat_rating(db_session=db_session, conversation_id=conversation_id)
    if existing is not None:
        return existing
    entry = ChatRating(conversation_id=conversation_id, rating=rating, candidate_id=candidate_id)
    try:
        with db_session.begin_nested():
            db_session.add(entry)
    except IntegrityError:  # the same conversation rated twice at once: the first one counts
        return get_chat_rating(db_session=db_session, conversation_id=conversation_id)
    log.info("chat rating recorded (%s)", "skipped" if rating is None else rating)
    return entry


def means_skip(text: str) -> bool:
    """Returns whether a typed answer means "skip": the whole answer is a skip word ("no", "skip", "nothing")."""
    return " ".join(re.sub(r"[.!,]+", " ", text.strip().lower()).split()) in SKIP_ANSWERS


def mentions_skip(text: str) -> bool:
    """Returns whether a typed answer to the rating question asks to skip it ("skip", "I'd rather not rate")."""
    return means_skip(text) or bool(SKIP_WORD.search(text))


def record_chat_comment(*, db_session: Session, conversation_id: str, comment: str) -> ChatRating | None:
    """Returns the conversation's rating with its comment added (masked); None when the chat has no rating.

    A comment is taken once and only after a rating (not after a skip); a later one leaves it unchanged."""
    comment = comment.strip()
    if not comment:
        raise FeedbackError("comment: empty")
    if len(comment) > MAX_COMMENT_CHARS:
        raise FeedbackError(f"comment: at most {MAX_COMMENT_CHARS} characters")
    entry = get_chat_rating(db_session=db_session, conversation_id=conversation_id)
    if entry is None or entry.rating is None or entry.comment:
        return entry
    entry.comment = redact(comment)
    db_session.flush()
    if entry.candidate_id is not None:
        audit_service.record(db_session=db_session, actor=audit_service.candidate_actor(candidate_id=entry.candidate_id),
                             action="update", entity="chat_rating", entity_id=str(entry.id),
                             candidate_id=entry.candidate_id, fields=["comment"])
    log.info("chat rating %s: comment recorded", entry.id)
    return entry


def nps_token(*, candidate_external_id: str, survey_key: str) -> str:
    """Returns the signed token of one NPS survey link (the survey key rides in the subject)."""
    return identity_service.issue_token(candidate_external_id=f"{candidate_external_id}|{survey_key}",
                                        audience=NPS_AUDIENCE, ttl_minutes=NPS_LINK_DAYS * 24 * 60)


def survey_key(*, application_external_id: str, stage: str) -> str:
    """Returns the survey key of one stage outcome: '<application external id>:<stage>'."""
    return f"{application_external_id}:{stage}"


def nps_link(*, candidate_external_id: str, application_external_id: str, stage: str) -> str:
    """Returns the signed answer-page link of the NPS survey after this application's stage outcome."""
    token = nps_token(candidate_external_id=candidate_external_id,
                      survey_key=survey_key(application_external_id=application_external_id, stage=stage))
    return f"{get_settings().public_url}/feedback/nps?" + urlencode({"token": token})


@dataclass(frozen=True)
class Survey:
    candidate_external_id: str
    survey_key: str


def read_nps_token(token: str) -> Survey:
    """Returns the survey a valid NPS link is for (raises identity_service.InvalidToken)."""
    subject = identity_service.verify_token(token, audience=NPS_AUDIENCE)
    external_id, _, survey_key = subject.partition("|")
    if not survey_key:
        raise identity_service.InvalidToken("no survey in the token")
    return Survey(external_id, survey_key)


def get_nps_response(*, db_session: Session, survey_key: str) -> NpsResponse | None:
    """Returns the answer already given to this survey, or None."""
    return db_session.scalar(select(NpsResponse).where(NpsResponse.survey_key == survey_key))


def record_nps(*, db_session: Session, token: str, score: int, comment: str = "") -> NpsResponse:
    """Returns the stored NPS answer of a survey link (the first answer counts; comment masked)."""
    survey = read_nps_token(token)
    if not 0 <= score <= 10:
        raise FeedbackError("score: must be 0 to 10")
    if len(comment) > MAX_COMMENT_CHARS:
        raise FeedbackError(f"comment: at most {MAX_COMMENT_CHARS} characters")
    candidate = candidates_service.get_by_external_id(db_session=db_session, external_id=survey.candidate_external_id)
    if candidate is None:
        raise identity_service.InvalidToken("no such candidate")
    existing = get_nps_response(db_session=db_session, survey_key=survey.survey_key)
    if existing is not None:
        return existing
    application_id = _application_of(db_session, survey.survey_key)
    entry = NpsResponse(candidate_id=candidate.id, application_id=application_id, survey_key=survey.survey_key,
                        score=score, comment=redact(comment.strip()))
    db_session.add(entry)
    db_session.flush()
    audit_service.record(db_session=db_session, actor=audit_service.candidate_actor(candidate_id=candidate.id, channel="email"),
                         action="create", entity="nps_response", entity_id=str(entry.id), candidate_id=candidate.id,
                         fields=["score"] + (["comment"] if entry.comment else []))
    return entry


def _application_of(db_session: Session, survey_key: str) -> int | None:
    """Survey keys of stage outcomes are '<application external id>:<stage>'."""
    external_id = survey_key.partition(":")[0]
    application = candidates_service.get_application_by_external_id(db_session=db_session, external_id=external_id)
    return application.id if application else None
