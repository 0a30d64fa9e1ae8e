"""Deleting conversation data once it is no longer needed, as the privacy article promises candidates.

``knowledge_base/candidate-data-privacy.md`` tells candidates that chats are kept for 30 days and then
deleted. After ``conversation_retention_days`` (30):

- Rasa's tracker store: every conversation whose last event is older is deleted (unless its ticket is open);
- ``answer_log``: question texts are blanked (decision, article and thumbs stay for the gap report);
- ``recommendation_log``: request texts are blanked (who saw which job at which rank stays for bias audits);
- resolved tickets: the transcript, the triggering message, the thread and the reply address are removed
  that long after the ticket was resolved (the ticket's reason, priority and times stay for reporting);
- verifications that have expired and one-time codes older than a day are deleted.

Career-site behaviour events are deleted after ``behaviour_retention_days`` (180).

The decision logs — what the AI decided or showed, kept for bias audits, attribution and the AI Act's logging
duty — are deleted after ``decision_log_retention_days`` (183, about six months), whatever the chat
retention is: ``recommendation_log`` (each job shown, its rank and score), ``answer_log`` (each knowledge
answer, clarification or decline and its thumbs), ``journey_attempt`` (each attempt, its outcome and the
journey version) and finished ``journey_run`` rows (the decision per occurrence: treated or holdout, sent,
skipped or cancelled, with the reason). A run is kept while it is still scheduled and while its occurrence
could still be planned again (due within the longest ``expires_after`` of the current journeys), so deleting
it never lets a journey send twice. Not decision logs, so kept here: ``feature_switch`` (the current state of
each oversight switch and who changed it last; deleting it would turn a feature back on), ``job_alert_sent``
(what keeps each job to one alert per candidate), ``audit_entry`` (the personal-data access log, field names
only) and the candidate feedback (``chat_rating``, ``nps_response``). The candidate record itself belongs to
the ATS and is not touched here. The API runs ``purge`` at start-up and every
``retention_interval_hours``; ``assistant retention purge [--dry-run]`` runs it by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Column, Float, MetaData, String, Table, delete, func, inspect, select, update
from sqlalchemy.orm import Session

from assistant import periodic
from assistant.db import make_engine, session_scope, utcnow
from assistant.identity.models import ConversationIdentity, OneTimeCode
from assistant.inbox.models import Ticket, TicketMessage
from assistant.jobs.models import BehaviourEvent, RecommendationLog
from assistant.journeys.models import JourneyAttempt, JourneyChatMessage, JourneyRun
from assistant.knowledge.models import AnswerLog
from assistant.settings import get_settings

log = logging.getLogger(__name__)
_events = Table("events", MetaData(), Column("sender_id", String), Column("timestamp", Float))  # Rasa's SQL tracker store


def purge(*, db_session: Session, now: datetime | None = None) -> dict[str, int]:
    """Deletes or blanks what has outlived its retention in the app database; returns counts per kind.

    The caller commits (or rolls back, for a dry run)."""
    settings = get_settings()
    now = now or utcnow()
    chats = now - timedelta(days=settings.conversation_retention_days)
    statements = {
        "answer questions blanked":
            update(AnswerLog).where(AnswerLog.created_at < chats, AnswerLog.question != "").values(question=""),
        "recommendation requests blanked":
            update(RecommendationLog).where(RecommendationLog.created_at < chats, RecommendationLog.query.is_not(None))
            .values(query=None),
        "one-time codes deleted": delete(OneTimeCode).where(OneTimeCode.created_at < now - timedelta(days=1)),
        "expired verifications deleted": delete(ConversationIdentity).where(ConversationIdentity.expires_at < now),
        "behaviour events deleted": delete(BehaviourEvent).where(
            BehaviourEvent.created_at < now - timedelta(days=settings.behaviour_retention_days)),
    }
    # Set-based statements; objects already in the session are expired below rather than matched in Python.
    statements |= _decision_log_statements(now - timedelta(days=settings.decision_log_retention_days), now)
    counts = {what: db_session.execute(statement, execution_options={"synchronize_session": False}).rowcount
              for what, statement in statements.items()}
    db_session.expire_all()
    counts["resolved ticket conversations removed"] = _purge_tickets(db_session, chats)
    return counts


def _decision_log_statements(before: datetime, now: datetime) -> dict:
    """Returns the deletes of decision-log rows older than ``before`` (in order: attempts before their runs)."""
    from assistant.journeys import scheduler  # the journeys as loaded now (their longest expiry)

    journeys = scheduler.current_journeys().journeys
    replannable = now - max((item.journey.expires_after for item in journeys), default=timedelta(0))
    old_runs = select(JourneyRun.id).where(JourneyRun.status != "scheduled", JourneyRun.decided_at < before,
                                           JourneyRun.due_at < min(before, replannable))
    return {
        "recommendation logs deleted": delete(RecommendationLog).where(RecommendationLog.created_at < before),
        "answer logs deleted": delete(AnswerLog).where(AnswerLog.created_at < before),
        "journey attempts deleted": delete(JourneyAttempt).where(
            (JourneyAttempt.at < before) | JourneyAttempt.run_id.in_(old_runs)),
        "journey chat messages deleted": delete(JourneyChatMessage).where(JourneyChatMessage.run_id.in_(old_runs)),
        "journey runs deleted": delete(JourneyRun).where(JourneyRun.id.in_(old_runs)),
    }


def _purge_tickets(db_session: Session, before: datetime) -> int:
    tickets = db_session.scalars(select(Ticket).where(Ticket.status == "resolved", Ticket.closed_at < before))
    purged = 0
    for ticket in tickets:
        if not (ticket.transcript or ticket.trigger_message or ticket.candidate_email or ticket.messages):
            continue  # already purged
        ticket.transcript, ticket.trigger_message, ticket.candidate_email = [], "", None
        db_session.execute(delete(TicketMessage).where(TicketMessage.ticket_id == ticket.id))
        purged += 1
    db_session.flush()
    return purged


def purge_conversations(*, tracker_store_url: str, keep: set[str], now: datetime | None = None,
                        dry_run: bool = False) -> int:
    """Deletes Rasa conversations whose last event is older than the retention, except those in ``keep``;
    returns how many conversations that was."""
    cutoff = ((now or utcnow()) - timedelta(days=get_settings().conversation_retention_days)).timestamp()
    engine = make_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return 0  # Rasa has not written a conversation yet
        stale = select(_events.c.sender_id).group_by(_events.c.sender_id).having(func.max(_events.c.timestamp) < cutoff)
        with engine.begin() as connection:
            senders = [s for s in connection.scalars(stale) if s not in keep]
            for start in range(0, len(senders), 500):
                if not dry_run:
                    connection.execute(delete(_events).where(_events.c.sender_id.in_(senders[start:start + 500])))
        return len(senders)
    finally:
        engine.dispose()


def run(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Purges the app database and the tracker store; returns the counts (nothing changes on a dry run)."""
    with session_scope() as db:
        counts = purge(db_session=db, now=now)
        keep = set(db.scalars(select(Ticket.conversation_id).where(Ticket.status != "resolved")))
        if dry_run:
            db.rollback()
    counts["chat conversations deleted"] = purge_conversations(
        tracker_store_url=get_settings().tracker_store_url, keep=keep, now=now, dry_run=dry_run)
    if not dry_run:
        log.info("retention purge done", extra={"counts": counts})
    return counts


lifespan = periodic.every(lambda: get_settings().retention_interval_hours * 3600, run, "retention")
"""Runs the purge at API start-up and then every settings.retention_interval_hours."""
