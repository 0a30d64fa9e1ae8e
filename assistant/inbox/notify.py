"""Telling people about tickets: recruiters (webhook, e-mail) and a candidate who has left the chat.

Recruiter notifications carry ids, reason and priority only, never the candidate's words or contact data.
Failures are logged and never stop an escalation: the ticket is in the inbox either way.

New tickets are batched (``ticket_opened``), so a flood of tickets cannot become a flood of notifications: a
ticket is notified at once when nothing was sent in the last ``recruiter_notify_batch_seconds``; otherwise it
waits for one digest, sent as soon as ``recruiter_notify_batch_size`` tickets wait or, when the window has
passed, by the API's delivery job (``flush``). Tickets are claimed atomically (``ticket.notified_at``), so
replicas never notify one twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assistant import mail
from assistant.abuse import limits
from assistant.db import utcnow
from assistant.escalation.reasons import PRIORITIES, get_reason
from assistant.inbox.models import Ticket
from assistant.settings import get_settings

log = logging.getLogger(__name__)


def ticket_url(ticket: Ticket) -> str:
    return f"{get_settings().public_url}/inbox/tickets/{ticket.id}"


def notify_recruiters(*, ticket: Ticket) -> dict[str, bool]:
    """Posts the configured webhook and e-mails the configured address; returns what succeeded."""
    settings = get_settings()
    reason = get_reason(ticket.reason)
    done: dict[str, bool] = {}
    if settings.escalation_webhook_url:
        payload = {"type": "ticket.opened", "ticket_id": ticket.id, "reason": ticket.reason, "priority": ticket.priority,
                   "due_at": ticket.due_at.isoformat(), "url": ticket_url(ticket)}
        try:
            httpx.post(settings.escalation_webhook_url, json=payload, timeout=3.0).raise_for_status()
            done["webhook"] = True
        except httpx.HTTPError as error:
            log.warning("escalation webhook failed", extra={"ticket_id": ticket.id, "error": type(error).__name__})
            done["webhook"] = False
    if settings.recruiter_notify_email:
        subject = f"[{ticket.priority}] New escalation #{ticket.id}: {reason.label}"
        body = (f"A candidate conversation needs a person ({reason.label}, priority {ticket.priority}).\n"
                f"Reply target: {ticket.due_at.isoformat()}\n\nOpen it in the inbox: {ticket_url(ticket)}\n")
        done["email"] = _send(to=settings.recruiter_notify_email, subject=subject, body=body, ticket=ticket)
    return done


def ticket_opened(*, db_session: Session, now: datetime | None = None) -> int:
    """Notifies recruiters of a new (committed) ticket now or in the next digest; returns the tickets notified now."""
    settings = get_settings()
    window = limits.hit(db_session=db_session, key="notify:recruiters", limit=1,
                        window=settings.recruiter_notify_batch_seconds, now=now)
    if window.allowed or _waiting(db_session) >= settings.recruiter_notify_batch_size:
        return send_waiting(db_session=db_session, now=now)
    return 0


def flush(*, db_session: Session, now: datetime | None = None) -> int:
    """Sends the digest of waiting tickets once the batch window allows; returns the tickets notified."""
    if not _waiting(db_session):
        return 0
    window = limits.hit(db_session=db_session, key="notify:recruiters", limit=1,
                        window=get_settings().recruiter_notify_batch_seconds, now=now)
    return send_waiting(db_session=db_session, now=now) if window.allowed else 0


def _waiting(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count(Ticket.id)).where(Ticket.notified_at.is_(None))) or 0)


def send_waiting(*, db_session: Session, now: datetime | None = None) -> int:
    """Claims every waiting ticket and sends one notification for them (one ticket: its own); returns how many."""
    claimed = db_session.execute(
        update(Ticket).where(Ticket.notified_at.is_(None)).values(notified_at=now or utcnow()).returning(Ticket.id)
        .execution_options(synchronize_session=False)).scalars().all()
    db_session.commit()  # claimed before sending: another replica's digest cannot take the same tickets
    if not claimed:
        return 0
    tickets = list(db_session.scalars(select(Ticket).where(Ticket.id.in_(claimed)).order_by(Ticket.id)))
    if len(tickets) == 1:
        notify_recruiters(ticket=tickets[0])
    else:
        notify_digest(tickets=tickets)
    log.info("recruiters notified", extra={"tickets": len(tickets)})
    return len(tickets)


def notify_digest(*, tickets: list[Ticket]) -> dict[str, bool]:
    """Posts and e-mails one notification for several new tickets (counts by priority, links); returns what succeeded."""
    settings = get_settings()
    by_priority = Counter(ticket.priority for ticket in tickets)
    top = next((p for p in PRIORITIES if by_priority[p]), tickets[0].priority)
    counts = ", ".join(f"{by_priority[p]} {p}" for p in PRIORITIES if by_priority[p])
    done: dict[str, bool] = {}
    if settings.escalation_webhook_url:
        payload = {"type": "tickets.opened", "count": len(tickets), "by_priority": dict(by_priority),
                   "tickets": [{"ticket_id": t.id, "reason": t.reason, "priority": t.priority,
                                "due_at": t.due_at.isoformat(), "url": ticket_url(t)} for t in tickets]}
        done["webhook"] = _post(settings.escalation_webhook_url, payload, what="escalation webhook")
    if settings.recruiter_notify_email:
        lines = "\n".join(f"- #{t.id} [{t.priority}] {get_reason(t.reason).label}: {ticket_url(t)}" for t in tickets)
        body = (f"{len(tickets)} candidate conversations need a person ({counts}).\n\n{lines}\n\n"
                f"The inbox lists them by priority: {settings.public_url}/inbox\n")
        done["email"] = _send(to=settings.recruiter_notify_email, subject=f"[{top}] {len(tickets)} new escalations ({counts})",
                              body=body, ticket=tickets[0])
    return done


def alert_admins(*, alert: str, summary: str, detail: dict[str, Any]) -> dict[str, bool]:
    """Posts an alert to the escalation webhook and e-mails the admins' address; returns what succeeded."""
    settings = get_settings()
    done: dict[str, bool] = {}
    if settings.escalation_webhook_url:
        done["webhook"] = _post(settings.escalation_webhook_url, {"type": "alert", "alert": alert, **detail},
                                what="alert webhook")
    to = settings.alert_email or settings.recruiter_notify_email
    if to:
        try:
            mail.send(to=to, subject=f"[alert] {summary}", body=f"{summary}\n\n" + "\n".join(
                f"{name}: {value}" for name, value in detail.items()) + f"\n\nInbox: {settings.public_url}/inbox\n")
            done["email"] = True
        except Exception as error:  # noqa: BLE001 - SMTP raises many types; logged, never fatal
            log.warning("alert e-mail failed", extra={"alert": alert, "error": type(error).__name__})
            done["email"] = False
    return done


def _post(url: str, payload: dict[str, Any], *, what: str) -> bool:
    try:
        httpx.post(url, json=payload, timeout=3.0).raise_for_status()
        return True
    except httpx.HTTPError as error:
        log.warning(f"{what} failed", extra={"error": type(error).__name__})
        return False


def email_candidate(*, ticket: Ticket, body: str, recruiter_name: str) -> bool:
    """E-mails a recruiter's reply to the candidate of the ticket; returns True when sent."""
    settings = get_settings()
    if not ticket.candidate_email:
        return False
    text = (f"{body}\n\n— {recruiter_name or 'Your recruiter'}, {settings.company_name} recruiting\n\n"
            f"You can reply in the chat on our careers site or write to {settings.recruiting_email}.\n")
    return _send(to=ticket.candidate_email, subject=f"A reply from {settings.company_name} recruiting", body=text, ticket=ticket)


def _send(*, to: str, subject: str, body: str, ticket: Ticket) -> bool:
    try:
        mail.send(to=to, subject=subject, body=body)
    except Exception as error:  # noqa: BLE001 - SMTP raises many types; logged, never fatal
        log.warning("notification e-mail failed", extra={"ticket_id": ticket.id, "error": type(error).__name__})
        return False
    return True
