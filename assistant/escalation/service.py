"""The handoff: one ticket per conversation, an honest "what happens next", recruiters notified.

If the inbox database cannot be reached, the escalation is spooled to a file (delivered later by
``spool.deliver``) and the candidate gets the recruiting e-mail address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from assistant.db import session_scope, utcnow
from assistant.escalation import spool
from assistant.escalation.hours import BusinessHours
from assistant.escalation.reasons import Reason, get_reason
from assistant.settings import get_settings

log = logging.getLogger(__name__)


@dataclass
class Handoff:
    reason: Reason
    due_at: datetime
    messages: list[str] = field(default_factory=list)  # to the candidate, in order
    ticket_id: int | None = None
    created: bool = False
    spooled: bool = False


def due_at(*, reason: Reason, now: datetime) -> datetime:
    """Returns when the reason's response target falls due, counting business hours only."""
    settings = get_settings()
    hours = settings.escalation_target_hours.get(reason.name, settings.escalation_target_hours.get("request_human", 8))
    return BusinessHours.from_settings(settings).add(now, hours)


def crisis_message() -> str:
    settings = get_settings()
    return (f"I'm really sorry you're going through this. If you are in danger or thinking about harming yourself, "
            f"please call {settings.emergency_number} (emergency services) now. You can talk to someone at any time, "
            f"day or night, on {settings.crisis_line}.")


def next_steps_message(*, reason: Reason, due: datetime, now: datetime, ticket_id: int | None, has_email: bool) -> str:
    """Returns what the candidate is told happens next: who, where, by when."""
    settings = get_settings()
    hours = BusinessHours.from_settings(settings)
    when = hours.describe(due, now)
    ref = f" (reference #{ticket_id})" if ticket_id else ""
    text = (f"I've passed this conversation to {reason.team}{ref}. They will read what you've written so far and reply "
            f"right here in this chat {when}")
    text += ", or by e-mail to the address on your application if you've left by then." if has_email else "."
    if not hours.is_open(now):
        text += f" Our team works {settings.business_days} {settings.business_hours}."
    text += (" Until then I'll stay quiet, so anything you add goes straight to them. "
             f"You can also write to {settings.recruiting_email}.")
    return text


def spooled_message(*, reason: Reason) -> str:
    email = get_settings().recruiting_email
    return (f"I couldn't reach our recruiter inbox just now. Your request is saved and will be passed to {reason.team} "
            f"as soon as it's back. If it's urgent, please e-mail {email} directly.")


def escalate_conversation(
    *, conversation_id: str, reason_name: str | None, trigger_message: str, transcript: list[dict[str, Any]],
    metadata: dict[str, Any] | None = None, now: datetime | None = None,
) -> Handoff:
    """Returns the handoff for this conversation: its one ticket (opened now or before) and the candidate's messages."""
    now = now or utcnow()
    reason = get_reason(reason_name)
    handoff = Handoff(reason=reason, due_at=due_at(reason=reason, now=now))
    if reason.name == "distress":
        handoff.messages.append(crisis_message())
    record = {"conversation_id": conversation_id, "reason": reason.name, "priority": reason.priority,
              "due_at": handoff.due_at.isoformat(), "trigger_message": trigger_message, "transcript": transcript,
              "metadata": {k: v for k, v in (metadata or {}).items() if k == "candidate_token"},
              "created_at": now.isoformat()}
    try:
        ticket, created, email = open_from_record(record)
    except SQLAlchemyError as error:
        spool.write(record)
        log.error("inbox unreachable, escalation spooled", extra={"error": type(error).__name__})
        handoff.spooled = True
        handoff.messages.append(spooled_message(reason=reason))
        return handoff
    handoff.ticket_id, handoff.created = ticket, created
    handoff.messages.append(next_steps_message(reason=reason, due=handoff.due_at, now=now, ticket_id=ticket,
                                               has_email=bool(email)))
    return handoff


def open_from_record(record: dict[str, Any]) -> tuple[int, bool, str | None]:
    """Opens (or finds) the ticket for an escalation record, notifying recruiters of a new one.

    Returns (ticket id, created now, candidate e-mail); raises SQLAlchemyError when the database is down.
    Used for live escalations and for spooled ones.
    """
    from assistant.audit import service as audit_service
    from assistant.identity import service as identity_service
    from assistant.inbox import notify
    from assistant.inbox import service as inbox_service

    with session_scope() as db:
        candidate = identity_service.current_candidate(
            db_session=db, conversation_id=record["conversation_id"], metadata=record.get("metadata") or {})
        ticket, created = inbox_service.open_ticket(
            db_session=db, conversation_id=record["conversation_id"], reason=record["reason"],
            priority=record["priority"], due_at=datetime.fromisoformat(record["due_at"]),
            trigger_message=record["trigger_message"], transcript=record["transcript"],
            candidate_id=candidate.id if candidate else None, candidate_email=candidate.email if candidate else None,
            created_at=datetime.fromisoformat(record["created_at"]),
        )
        if created and candidate is not None:
            audit_service.record(db_session=db, actor=audit_service.candidate_actor(candidate_id=candidate.id),
                                 action="create", entity="ticket", entity_id=str(ticket.id), candidate_id=candidate.id,
                                 fields=["email", "trigger_message", "transcript"])
        ticket_id, email = ticket.id, ticket.candidate_email
        if created:
            db.commit()
            notify.notify_recruiters(ticket=ticket)
    return ticket_id, created, email
