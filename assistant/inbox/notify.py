"""Telling people about tickets: recruiters (webhook, e-mail) and a candidate who has left the chat.

Recruiter notifications carry ids, reason and priority only, never the candidate's words or contact data.
Failures are logged and never stop an escalation: the ticket is in the inbox either way.
"""

from __future__ import annotations

import logging

import httpx

from assistant import mail
from assistant.escalation.reasons import get_reason
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
