"""The recruiter inbox pages (server-rendered; inbox.js refreshes the queue and thread every 2 seconds)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.routes.auth import CsrfChecked, PageTicketReader, csrf_token
from api.templating import templates
from assistant import rasa_client
from assistant.db import as_utc
from assistant.escalation.reasons import PRIORITIES, REASONS
from assistant.inbox import service as inbox_service
from assistant.inbox import staff as staff_service
from assistant.inbox import thread as thread_service
from assistant.inbox.models import Ticket
from assistant.settings import get_settings

router = APIRouter(prefix="/inbox", include_in_schema=False)


def local_time(value, fmt: str = "%a %d %b %H:%M") -> str:
    """Returns a stored time as business-timezone wall-clock text for the pages."""
    settings = get_settings()
    return as_utc(value).astimezone(ZoneInfo(settings.business_timezone)).strftime(fmt)


templates.env.globals.setdefault("local_time", local_time)


def page_ticket(db_session: SessionDep, user: PageTicketReader, ticket_id: int) -> Ticket:
    ticket = inbox_service.get(db_session=db_session, ticket_id=ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"no ticket {ticket_id}")
    return ticket


TicketDep = Annotated[Ticket, Depends(page_ticket)]


def _queue_context(request: Request, db_session, user, mine: bool, unassigned: bool, reason: str | None,
                   overdue: bool, closed: bool) -> dict:
    reason = reason or None
    tickets = inbox_service.list_queue(db_session=db_session, user=user, mine=mine, unassigned=unassigned,
                                       reason=reason, overdue=overdue, closed=closed)
    return {"user": user, "csrf": csrf_token(request), "tickets": tickets, "reasons": REASONS,
            "filters": {"mine": mine, "unassigned": unassigned, "reason": reason or "", "overdue": overdue, "closed": closed},
            "is_overdue": inbox_service.is_overdue, "query": request.url.query,
            "timezone": get_settings().business_timezone}


@router.get("", response_class=HTMLResponse)
def queue_page(request: Request, db_session: SessionDep, user: PageTicketReader, mine: bool = False,
               unassigned: bool = False, reason: str | None = None, overdue: bool = False, closed: bool = False):
    context = _queue_context(request, db_session, user, mine, unassigned, reason, overdue, closed)
    return templates.TemplateResponse(request, "inbox/queue.html", context)


@router.get("/queue", response_class=HTMLResponse)
def queue_fragment(request: Request, db_session: SessionDep, user: PageTicketReader, mine: bool = False,
                   unassigned: bool = False, reason: str | None = None, overdue: bool = False, closed: bool = False):
    context = _queue_context(request, db_session, user, mine, unassigned, reason, overdue, closed)
    return templates.TemplateResponse(request, "inbox/_queue_rows.html", context)


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(request: Request, db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, error: str = ""):
    entries, live = thread_service.build_thread(ticket=ticket)
    candidate = thread_service.read_candidate_record(db_session=db_session, ticket=ticket, reader=user)
    context = {"user": user, "csrf": csrf_token(request), "ticket": ticket, "entries": entries, "live": live,
               "candidate": candidate, "reason": REASONS.get(ticket.reason), "priorities": PRIORITIES,
               "assignable": staff_service.list_assignable(db_session=db_session), "error": error,
               "overdue": inbox_service.is_overdue(ticket)}
    return templates.TemplateResponse(request, "inbox/ticket.html", context)


@router.get("/tickets/{ticket_id}/thread", response_class=HTMLResponse)
def thread_fragment(request: Request, user: PageTicketReader, ticket: TicketDep):
    entries, live = thread_service.build_thread(ticket=ticket)
    return templates.TemplateResponse(request, "inbox/_thread.html", {"entries": entries, "live": live, "ticket": ticket})


def _act(ticket: Ticket, operation) -> RedirectResponse:
    """Runs a form's operation and returns to the ticket page, with the error shown if it failed."""
    target = f"/inbox/tickets/{ticket.id}"
    try:
        operation()
    except (inbox_service.InboxError, LookupError) as error:
        return RedirectResponse(f"{target}?error={quote(str(error))}", status_code=303)
    except rasa_client.RasaUnavailable:
        return RedirectResponse(f"{target}?error={quote('The chat server is unreachable; nothing was changed. Try again.')}",
                                status_code=303)
    return RedirectResponse(target, status_code=303)


@router.post("/tickets/{ticket_id}/claim", dependencies=[CsrfChecked])
def claim(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep):
    return _act(ticket, lambda: inbox_service.claim(db_session=db_session, ticket=ticket, user=user))


@router.post("/tickets/{ticket_id}/assign", dependencies=[CsrfChecked])
def assign(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, assignee_id: Annotated[int, Form()]):
    def operation():
        assignee = staff_service.get(db_session=db_session, staff_id=assignee_id)
        if assignee is None:
            raise LookupError(f"assignee: no active account {assignee_id}")
        inbox_service.assign(db_session=db_session, ticket=ticket, assignee=assignee, by=user)

    return _act(ticket, operation)


@router.post("/tickets/{ticket_id}/reply", dependencies=[CsrfChecked])
def reply(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, body: Annotated[str, Form()] = ""):
    return _act(ticket, lambda: inbox_service.reply(db_session=db_session, ticket=ticket, body=body, by=user))


@router.post("/tickets/{ticket_id}/note", dependencies=[CsrfChecked])
def note(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, body: Annotated[str, Form()] = ""):
    return _act(ticket, lambda: inbox_service.add_note(db_session=db_session, ticket=ticket, body=body, by=user))


@router.post("/tickets/{ticket_id}/priority", dependencies=[CsrfChecked])
def priority(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, priority: Annotated[str, Form()] = ""):
    return _act(ticket, lambda: inbox_service.set_priority(db_session=db_session, ticket=ticket, priority=priority, by=user))


@router.post("/tickets/{ticket_id}/resolve", dependencies=[CsrfChecked])
def resolve(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, message: Annotated[str, Form()] = ""):
    return _act(ticket, lambda: inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=False,
                                                      message=message))


@router.post("/tickets/{ticket_id}/hand-back", dependencies=[CsrfChecked])
def hand_back(db_session: SessionDep, user: PageTicketReader, ticket: TicketDep, message: Annotated[str, Form()] = ""):
    return _act(ticket, lambda: inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=True,
                                                      message=message))
