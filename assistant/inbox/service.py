"""Escalation tickets: opening one per conversation, the queue, and what recruiters do with a ticket."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant import rasa_client
from assistant.db import as_utc, utcnow
from assistant.escalation.reasons import PRIORITIES
from assistant.inbox.models import StaffUser, Ticket, TicketMessage
from assistant.settings import get_settings

log = logging.getLogger(__name__)
MAX_REPLY_CHARS = 4000
HANDBACK_MESSAGE = "You're back with the automated assistant now. Ask me anything, or ask for a recruiter again at any time."


class InboxError(ValueError):
    """A request the inbox cannot carry out; the message says why."""


class TicketClosed(InboxError):
    """The ticket is already resolved."""


def get_open_by_conversation(*, db_session: Session, conversation_id: str) -> Ticket | None:
    """Returns the open ticket holding this conversation, or None."""
    return db_session.scalar(select(Ticket).where(Ticket.open_conversation_id == conversation_id))


def get(*, db_session: Session, ticket_id: int) -> Ticket | None:
    """Returns the ticket with this id, or None."""
    return db_session.get(Ticket, ticket_id)


def get_or_raise(*, db_session: Session, ticket_id: int) -> Ticket:
    """Returns the ticket with this id or raises LookupError naming it."""
    ticket = get(db_session=db_session, ticket_id=ticket_id)
    if ticket is None:
        raise LookupError(f"ticket_id: no ticket {ticket_id}")
    return ticket


def open_ticket(
    *, db_session: Session, conversation_id: str, reason: str, priority: str, due_at: datetime,
    trigger_message: str, transcript: list[dict[str, Any]], candidate_id: int | None = None,
    candidate_email: str | None = None, created_at: datetime | None = None,
) -> tuple[Ticket, bool]:
    """Returns the conversation's open ticket and whether it was created now; never opens a second one."""
    existing = get_open_by_conversation(db_session=db_session, conversation_id=conversation_id)
    if existing is not None:
        return existing, False
    ticket = Ticket(  # times stored in UTC: SQLite keeps no offset
        conversation_id=conversation_id, open_conversation_id=conversation_id, reason=reason, priority=priority,
        status="open", candidate_id=candidate_id, candidate_email=candidate_email, trigger_message=trigger_message,
        transcript=transcript, due_at=due_at.astimezone(timezone.utc),
        created_at=(created_at or utcnow()).astimezone(timezone.utc),
    )
    try:
        with db_session.begin_nested():  # a concurrent retry may win the unique open_conversation_id
            db_session.add(ticket)
            db_session.flush()
    except IntegrityError:
        winner = get_open_by_conversation(db_session=db_session, conversation_id=conversation_id)
        if winner is None:
            raise
        return winner, False
    log.info("ticket opened", extra={"ticket_id": ticket.id, "reason": reason, "priority": priority})
    return ticket, True


def list_queue(
    *, db_session: Session, user: StaffUser, mine: bool = False, unassigned: bool = False, reason: str | None = None,
    overdue: bool = False, closed: bool = False, now: datetime | None = None,
) -> list[Ticket]:
    """Returns tickets by priority then due time (open ones, or the latest closed ones), filtered."""
    query = select(Ticket)
    query = query.where(Ticket.status == "resolved") if closed else query.where(Ticket.status != "resolved")
    if mine:
        query = query.where(Ticket.assignee_id == user.id)
    if unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if reason:
        query = query.where(Ticket.reason == reason)
    if overdue:
        query = query.where(Ticket.due_at < (now or utcnow()))
    if closed:
        return list(db_session.scalars(query.order_by(Ticket.closed_at.desc()).limit(100)))
    rank = case({name: index for index, name in enumerate(PRIORITIES)}, value=Ticket.priority, else_=len(PRIORITIES))
    return list(db_session.scalars(query.order_by(rank, Ticket.due_at, Ticket.id)))


def is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    """Returns True when an unresolved ticket is past its due time."""
    return ticket.status != "resolved" and as_utc(ticket.due_at) < (now or utcnow())


def _require_open(ticket: Ticket) -> None:
    if ticket.status == "resolved":
        raise TicketClosed(f"ticket {ticket.id} is already resolved")


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InboxError("body: write a message first")
    if len(body) > MAX_REPLY_CHARS:
        raise InboxError(f"body: at most {MAX_REPLY_CHARS} characters (this one has {len(body)})")
    return body


def _system(db_session: Session, ticket: Ticket, body: str, user: StaffUser | None) -> None:
    db_session.add(TicketMessage(ticket_id=ticket.id, author_type="system", author_id=user.id if user else None,
                                 body=body, delivery="internal"))


def claim(*, db_session: Session, ticket: Ticket, user: StaffUser) -> Ticket:
    """Returns the ticket, now assigned to user."""
    return assign(db_session=db_session, ticket=ticket, assignee=user, by=user)


def assign(*, db_session: Session, ticket: Ticket, assignee: StaffUser, by: StaffUser) -> Ticket:
    """Returns the ticket, assigned to assignee (who must be able to hold tickets)."""
    from assistant.inbox.staff import can_read_tickets

    _require_open(ticket)
    if not assignee.active or not can_read_tickets(assignee):
        raise InboxError("assignee: this account cannot hold tickets")
    ticket.assignee_id, ticket.status = assignee.id, "claimed"
    _system(db_session, ticket, f"{'Claimed' if assignee.id == by.id else 'Assigned to ' + assignee.name} by {by.name}", by)
    db_session.flush()
    return ticket


def set_priority(*, db_session: Session, ticket: Ticket, priority: str, by: StaffUser) -> Ticket:
    """Returns the ticket with its new priority."""
    _require_open(ticket)
    if priority not in PRIORITIES:
        raise InboxError(f"priority: must be one of {', '.join(PRIORITIES)}")
    if priority != ticket.priority:
        _system(db_session, ticket, f"Priority {ticket.priority} → {priority} by {by.name}", by)
        ticket.priority = priority
    db_session.flush()
    return ticket


def add_note(*, db_session: Session, ticket: Ticket, body: str, by: StaffUser) -> TicketMessage:
    """Returns the new internal note (never shown to the candidate)."""
    note = TicketMessage(ticket_id=ticket.id, author_type="note", author_id=by.id, body=_clean_body(body), delivery="internal")
    db_session.add(note)
    db_session.flush()
    return note


def _bot_event(text: str | None, by: StaffUser | None, *, handoff_state: str) -> dict[str, Any]:
    """Returns a bot event for the tracker; its custom payload tells the chat widget who is talking now."""
    name = by.name.split()[0] if by else ""
    meta = {"from": "recruiter", "name": name} if by else {"from": "assistant"}
    custom = {"type": "handoff", "state": handoff_state, **({"name": name} if name else {})}
    return {"event": "bot", "text": text, "metadata": meta, "data": {"custom": rasa_client.socketio_custom(custom)}}



def candidate_idle(tracker: dict[str, Any], now: datetime | None = None) -> bool:
    """Returns True when the candidate has written nothing for settings.candidate_idle_minutes."""
    last = max((e.get("timestamp") or 0 for e in tracker.get("events", []) if e.get("event") == "user"), default=0)
    idle = timedelta(minutes=get_settings().candidate_idle_minutes).total_seconds()
    return (now or utcnow()).timestamp() - last > idle


def reply(*, db_session: Session, ticket: Ticket, body: str, by: StaffUser) -> TicketMessage:
    """Returns the recorded reply after pushing it to the candidate's chat (and e-mail if they have left).

    If Rasa cannot be reached the reply is kept as "pending" and sent by deliver_pending_replies().
    """
    _require_open(ticket)
    message = TicketMessage(ticket_id=ticket.id, author_type="recruiter", author_id=by.id, body=_clean_body(body),
                            delivery="pending", extra={"name": by.name.split()[0]})
    db_session.add(message)
    db_session.flush()
    _deliver(db_session=db_session, ticket=ticket, message=message, by=by)
    if ticket.status == "open":
        ticket.assignee_id, ticket.status = ticket.assignee_id or by.id, "claimed"
    db_session.flush()
    return message


def _deliver(*, db_session: Session, ticket: Ticket, message: TicketMessage, by: StaffUser | None) -> None:
    from assistant.inbox import notify

    try:
        tracker = rasa_client.append_events(conversation_id=ticket.conversation_id, events=[_bot_event(message.body, by, handoff_state="live")])
    except rasa_client.RasaUnavailable:
        log.warning("reply kept pending: Rasa unreachable", extra={"ticket_id": ticket.id})
        return
    message.delivery = "chat"
    if ticket.candidate_email and candidate_idle(tracker):
        if notify.email_candidate(ticket=ticket, body=message.body, recruiter_name=message.extra.get("name", "")):
            message.delivery = "chat+email"


def deliver_pending_replies(*, db_session: Session) -> int:
    """Sends replies kept while Rasa was unreachable; returns how many went out."""
    pending = db_session.scalars(select(TicketMessage).where(TicketMessage.delivery == "pending")).all()
    sent = 0
    for message in pending:
        ticket = db_session.get(Ticket, message.ticket_id)
        by = db_session.get(StaffUser, message.author_id) if message.author_id else None
        _deliver(db_session=db_session, ticket=ticket, message=message, by=by)
        sent += message.delivery != "pending"
    db_session.flush()
    return sent


def resolve(*, db_session: Session, ticket: Ticket, by: StaffUser, hand_back: bool, message: str = "") -> Ticket:
    """Returns the closed ticket; the conversation goes back to the assistant (with a message if hand_back).

    Raises rasa_client.RasaUnavailable (ticket unchanged) when the conversation cannot be resumed.
    """
    _require_open(ticket)
    text = (message or "").strip() or (HANDBACK_MESSAGE if hand_back else "")
    events: list[dict[str, Any]] = [
        {"event": "resume"},
        _bot_event(_clean_body(text) if text else None, None, handoff_state="ended"),  # the widget: bot again
        {"event": "action", "name": "action_listen"},  # listening again, so rules match the next message
    ]
    rasa_client.append_events(conversation_id=ticket.conversation_id, events=events)
    ticket.status, ticket.open_conversation_id, ticket.closed_at = "resolved", None, utcnow()
    _system(db_session, ticket, f"{'Handed back to the assistant' if hand_back else 'Resolved'} by {by.name}", by)
    db_session.flush()
    log.info("ticket closed", extra={"ticket_id": ticket.id, "hand_back": hand_back})
    return ticket
