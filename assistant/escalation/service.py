"""The handoff: one ticket per conversation, an honest "what happens next", recruiters notified.

If the inbox database cannot be reached, the escalation is spooled to a file (delivered later by
``spool.deliver``) and the candidate gets the recruiting e-mail address.

Abuse limits (``assistant.abuse.limits``, shared by every replica) cap new tickets per conversation, per client
address and in all per hour, so nobody can bury real cases under thousands of tickets. Over a limit, the
candidate is told honestly that a recruiter already has their request, or to write to the recruiting address;
an urgent reason (distress) is never turned away: it reopens the conversation's latest ticket, or opens one.
Crossing the global ceiling alerts the admins (once an hour). An open ticket always takes a new request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.abuse import limits
from assistant.db import as_utc, session_scope, utcnow
from assistant.escalation import spool
from assistant.escalation.hours import BusinessHours
from assistant.escalation.reasons import Reason, get_reason
from assistant.settings import get_settings

log = logging.getLogger(__name__)
HOUR = 3600.0
CLIENT_METADATA_KEY = "client_address"  # set by the Rasa channel (rasa_channel.client), never by the widget


@dataclass
class Handoff:
    reason: Reason
    due_at: datetime
    messages: list[str] = field(default_factory=list)  # to the candidate, in order
    ticket_id: int | None = None
    created: bool = False
    spooled: bool = False
    refused: str | None = None  # the limit that kept a new ticket from opening: conversation | client | ceiling


@dataclass(frozen=True)
class Opened:
    ticket_id: int | None
    created: bool
    email: str | None
    refused: str | None = None


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


def refused_message(*, refused: str, ticket_id: int | None) -> str:
    """Returns what a candidate over an escalation limit is told: who has their request, or where to write."""
    settings = get_settings()
    if refused == "conversation" and ticket_id:
        return (f"A recruiter already has your request from this conversation (reference #{ticket_id}), and you've "
                f"asked for a person {settings.escalations_per_conversation} times in the last hour, so I won't open "
                f"another one just now. If there's something new, please e-mail {settings.recruiting_email} "
                f"(mention #{ticket_id}) and a recruiter will reply.")
    return ("I can't pass this conversation to a person right now because our team is receiving an unusually high "
            f"number of requests. Please e-mail {settings.recruiting_email} and a recruiter will reply.")


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
    client = str((metadata or {}).get(CLIENT_METADATA_KEY) or "")
    try:
        opened = open_from_record(record, limited=True, client=client, now=now)
    except SQLAlchemyError as error:
        spool.write(record)
        log.error("inbox unreachable, escalation spooled", extra={"error": type(error).__name__})
        handoff.spooled = True
        handoff.messages.append(spooled_message(reason=reason))
        return handoff
    handoff.ticket_id, handoff.created, handoff.refused = opened.ticket_id, opened.created, opened.refused
    if opened.refused:
        handoff.messages.append(refused_message(refused=opened.refused, ticket_id=opened.ticket_id))
    else:
        handoff.messages.append(next_steps_message(reason=reason, due=handoff.due_at, now=now, ticket_id=opened.ticket_id,
                                                   has_email=bool(opened.email)))
    return handoff


def _over_limit(db: Session, *, conversation_id: str, client: str, now: datetime) -> str | None:
    """Counts one new ticket under each limit; returns the first limit it is over (conversation | client | ceiling)."""
    settings = get_settings()
    checks = [("conversation", f"ticket-conversation:{conversation_id}", settings.escalations_per_conversation)]
    if (counted := limits.counted_client(client)) is not None:
        checks.append(("client", f"ticket-client:{limits.subject(counted)}", settings.escalations_per_client))
    checks.append(("ceiling", "ticket-all", settings.tickets_per_hour))
    for name, key, limit in checks:
        if not limits.hit(db_session=db, key=key, limit=limit, window=HOUR, now=now).allowed:
            log.warning("escalation over its limit", extra={"limit": name})
            if name == "ceiling" and limits.hit(db_session=db, key="alert:ticket-ceiling", limit=1, window=HOUR, now=now).allowed:
                _alert_ceiling(limit)
            return name
    return None


def _alert_ceiling(limit: int) -> None:
    from assistant.inbox import notify

    log.error("ticket ceiling crossed: only urgent escalations open tickets until the hour passes",
              extra={"tickets_per_hour": limit})
    notify.alert_admins(alert="ticket_ceiling", summary=f"More than {limit} new tickets in an hour",
                        detail={"tickets_per_hour": limit, "window_seconds": int(HOUR),
                                "effect": "non-urgent escalations are sent to the recruiting address"})


def _reopen_latest(db: Session, *, conversation_id: str, reason: str, now: datetime):  # type: ignore[no-untyped-def]
    """Returns the conversation's latest ticket of the last hour, open again (an urgent request over a limit), or None."""
    from assistant.inbox.models import Ticket, TicketMessage

    ticket = db.scalar(select(Ticket).where(Ticket.conversation_id == conversation_id)
                       .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1))
    if ticket is None or as_utc(ticket.created_at) < now - timedelta(seconds=HOUR):
        return None
    ticket.status, ticket.open_conversation_id, ticket.closed_at = "open", conversation_id, None
    ticket.priority, ticket.reason, ticket.notified_at = "urgent", reason, None
    db.add(TicketMessage(ticket_id=ticket.id, author_type="system", body=(
        f"Reopened: the candidate asked again ({get_reason(reason).label}) while over the escalation limit"),
        delivery="internal"))
    db.flush()
    log.warning("ticket reopened for an urgent escalation over its limit", extra={"ticket_id": ticket.id})
    return ticket


def _latest_ticket_id(db: Session, *, conversation_id: str) -> int | None:
    from assistant.inbox.models import Ticket

    return db.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation_id)
                     .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1))


def open_from_record(record: dict[str, Any], *, limited: bool = False, client: str = "",
                     now: datetime | None = None) -> Opened:
    """Opens (or finds) the ticket for an escalation record, notifying recruiters of a new one (batched).

    ``limited``: a live escalation, counted under the abuse limits (``client``: its client address); spooled
    ones were counted when they happened. Raises SQLAlchemyError when the database is down.
    """
    from assistant.audit import service as audit_service
    from assistant.identity import service as identity_service
    from assistant.inbox import notify
    from assistant.inbox import service as inbox_service

    now = now or utcnow()
    with session_scope() as db:
        candidate = identity_service.current_candidate(
            db_session=db, conversation_id=record["conversation_id"], metadata=record.get("metadata") or {})
        existing = inbox_service.get_open_by_conversation(db_session=db, conversation_id=record["conversation_id"])
        if existing is not None:  # the open ticket takes it: nothing new to count or notify
            return Opened(existing.id, False, existing.candidate_email)
        refused = limited and _over_limit(db, conversation_id=record["conversation_id"], client=client, now=now)
        if refused and record["priority"] == "urgent":
            reopened = _reopen_latest(db, conversation_id=record["conversation_id"], reason=record["reason"], now=now)
            if reopened is not None:
                ticket_id, email = reopened.id, reopened.candidate_email
                db.commit()
                notify.ticket_opened(db_session=db)
                return Opened(ticket_id, False, email)
        elif refused:
            return Opened(_latest_ticket_id(db, conversation_id=record["conversation_id"]), False, None, refused=refused)
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
            notify.ticket_opened(db_session=db)
    return Opened(ticket_id, created, email)
