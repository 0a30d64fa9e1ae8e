"""Chat conversations as analytics sees them, read from Rasa's SQL tracker store (table ``events``).

A conversation (one sender id) counts in the period of its first candidate message. It is
- **escalated** when a ticket was opened for it (the reason is the ticket's);
- **abandoned** when the candidate left in the middle of something: a form still open at the end, or the
  assistant's last reply was a fallback or an honest "I don't know" (a declined knowledge answer);
- **contained** otherwise: served without a person.
Only conversations inside the chat retention (``conversation_retention_days``) can be counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, inspect, select
from sqlalchemy.orm import Session

from assistant.db import make_engine
from assistant.inbox.models import Ticket
from assistant.knowledge.models import AnswerLog

events_table = Table(  # the columns of Rasa 3.6's SQLTrackerStore.SQLEvent that analytics reads
    "events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False), Column("timestamp", Float), Column("intent_name", String(255)),
    Column("action_name", String(255)), Column("data", Text),
)
QUIET_ACTIONS = {"action_listen", "action_session_start", "action_offer_chat_rating", "action_record_chat_rating",
                 "action_unlikely_intent"}
FAILED_ACTIONS = {"action_core_fallback", "action_default_fallback"}


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    started_at: datetime
    outcome: str  # contained|abandoned|escalated
    reason: str | None = None  # the ticket's reason when escalated


@dataclass
class _Trace:
    first_user_at: float | None = None
    last_action: str | None = None
    form_open: bool = False


def _traces(tracker_store_url: str, start: datetime, end: datetime) -> dict[str, _Trace]:
    engine = make_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return {}
        e = events_table.c
        first = (select(e.sender_id).group_by(e.sender_id).where(e.type_name == "user")
                 .having(func.min(e.timestamp) >= start.timestamp(), func.min(e.timestamp) < end.timestamp()))
        query = (select(e.sender_id, e.type_name, e.timestamp, e.action_name, e.data)
                 .where(e.sender_id.in_(first), e.type_name.in_(["user", "action", "active_loop"]))
                 .order_by(e.sender_id, e.timestamp, e.id))
        traces: dict[str, _Trace] = {}
        with engine.connect() as connection:
            for sender, type_name, timestamp, action, data in connection.execute(query):
                trace = traces.setdefault(sender, _Trace())
                if type_name == "user" and trace.first_user_at is None:
                    trace.first_user_at = timestamp
                elif type_name == "action" and action not in QUIET_ACTIONS:
                    trace.last_action = action
                elif type_name == "active_loop":
                    trace.form_open = bool((json.loads(data or "{}")).get("name"))
        return traces
    finally:
        engine.dispose()


def conversations(*, db_session: Session, tracker_store_url: str, start: datetime, end: datetime) -> list[Conversation]:
    """Returns every conversation whose first candidate message falls in [start, end), with its outcome."""
    traces = _traces(tracker_store_url, start, end)
    ids = list(traces)
    reasons: dict[str, str] = {}
    declined_last: set[str] = set()
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for conversation_id, reason in db_session.execute(
                select(Ticket.conversation_id, Ticket.reason).where(Ticket.conversation_id.in_(chunk)).order_by(Ticket.created_at)):
            reasons.setdefault(conversation_id, reason)
        newest = (select(AnswerLog.conversation_id, func.max(AnswerLog.created_at).label("at"))
                  .where(AnswerLog.conversation_id.in_(chunk)).group_by(AnswerLog.conversation_id).subquery())
        declined_last |= set(db_session.scalars(
            select(AnswerLog.conversation_id).join(newest, (AnswerLog.conversation_id == newest.c.conversation_id)
                                                   & (AnswerLog.created_at == newest.c.at))
            .where(AnswerLog.decision == "decline")))
    result = []
    for conversation_id, trace in traces.items():
        started = datetime.fromtimestamp(trace.first_user_at, tz=timezone.utc)
        if conversation_id in reasons:
            result.append(Conversation(conversation_id, started, "escalated", reasons[conversation_id]))
            continue
        failed = trace.last_action in FAILED_ACTIONS or (
            trace.last_action == "action_search_knowledge" and conversation_id in declined_last)
        result.append(Conversation(conversation_id, started, "abandoned" if failed or trace.form_open else "contained"))
    return sorted(result, key=lambda c: c.started_at)
