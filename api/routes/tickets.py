"""The recruiter inbox as a JSON API (/api/tickets): same sign-in and CSRF header as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from api.deps import SessionDep
from api.routes.auth import CsrfChecked, TicketReader
from assistant import rasa_client
from assistant.escalation import delivery
from assistant.inbox import service as inbox_service
from assistant.inbox import staff as staff_service
from assistant.inbox import thread as thread_service
from assistant.inbox.models import Ticket
from assistant.inbox.schemas import (AssignIn, CloseIn, MessageIn, MessageOut, PriorityIn, ThreadEntry,
                                     TicketDetail, TicketSummary)

# The router carries the background delivery of spooled escalations and pending replies (API lifespan).
router = APIRouter(prefix="/api/tickets", tags=["inbox"], lifespan=delivery.lifespan)


def load_ticket(db_session: SessionDep, user: TicketReader, ticket_id: Annotated[int, Path()]) -> Ticket:
    """The ticket named in the path (404 when there is none); only for recruiters and admins."""
    ticket = inbox_service.get(db_session=db_session, ticket_id=ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"no ticket {ticket_id}")
    return ticket


TicketDep = Annotated[Ticket, Depends(load_ticket)]


def run(operation):
    """Runs an inbox operation, turning its errors into HTTP errors that say what went wrong."""
    try:
        return operation()
    except inbox_service.TicketClosed as error:
        raise HTTPException(status_code=409, detail=str(error)) from error
    except inbox_service.InboxError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    except rasa_client.RasaUnavailable as error:
        raise HTTPException(status_code=503, detail="the chat server is unreachable; nothing was changed, try again") from error


def summary(ticket: Ticket) -> TicketSummary:
    return TicketSummary.model_validate(ticket).model_copy(update={"overdue": inbox_service.is_overdue(ticket)})


@router.get("", response_model=list[TicketSummary])
def list_tickets(
    db_session: SessionDep, user: TicketReader, mine: bool = False, unassigned: bool = False,
    reason: str | None = None, overdue: bool = False, closed: bool = False,
) -> list[TicketSummary]:
    """The queue: open tickets by priority then due time (or recently closed ones), with filters."""
    tickets = inbox_service.list_queue(db_session=db_session, user=user, mine=mine, unassigned=unassigned,
                                       reason=reason, overdue=overdue, closed=closed)
    return [summary(ticket) for ticket in tickets]


@router.get("/{ticket_id}", response_model=TicketDetail)
def get_ticket(db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketDetail:
    """One ticket with its live thread (candidate messages while paused included) and the candidate record."""
    entries, live = thread_service.build_thread(ticket=ticket)
    candidate = thread_service.read_candidate_record(db_session=db_session, ticket=ticket, reader=user)
    return TicketDetail(**summary(ticket).model_dump(), trigger_message=ticket.trigger_message,
                        thread=[ThreadEntry(**entry.as_dict()) for entry in entries], thread_live=live, candidate=candidate)


@router.post("/{ticket_id}/claim", response_model=TicketSummary, dependencies=[CsrfChecked])
def claim(db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketSummary:
    """Assigns the ticket to the signed-in recruiter."""
    return summary(run(lambda: inbox_service.claim(db_session=db_session, ticket=ticket, user=user)))


@router.post("/{ticket_id}/assign", response_model=TicketSummary, dependencies=[CsrfChecked])
def assign(body: AssignIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketSummary:
    """Assigns the ticket to another recruiter or admin."""
    assignee = staff_service.get(db_session=db_session, staff_id=body.assignee_id)
    if assignee is None:
        raise HTTPException(status_code=422, detail=f"assignee_id: no active account {body.assignee_id}")
    return summary(run(lambda: inbox_service.assign(db_session=db_session, ticket=ticket, assignee=assignee, by=user)))


@router.post("/{ticket_id}/reply", response_model=MessageOut, dependencies=[CsrfChecked])
def reply(body: MessageIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> MessageOut:
    """Sends a reply to the candidate's chat (and e-mail if they have left); delivery "pending" if Rasa is down."""
    return MessageOut.model_validate(run(lambda: inbox_service.reply(db_session=db_session, ticket=ticket, body=body.body, by=user)))


@router.post("/{ticket_id}/notes", response_model=MessageOut, dependencies=[CsrfChecked])
def add_note(body: MessageIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> MessageOut:
    """Adds an internal note (never shown to the candidate)."""
    return MessageOut.model_validate(run(lambda: inbox_service.add_note(db_session=db_session, ticket=ticket, body=body.body, by=user)))


@router.post("/{ticket_id}/priority", response_model=TicketSummary, dependencies=[CsrfChecked])
def set_priority(body: PriorityIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketSummary:
    """Changes the ticket's priority."""
    return summary(run(lambda: inbox_service.set_priority(db_session=db_session, ticket=ticket, priority=body.priority, by=user)))


@router.post("/{ticket_id}/resolve", response_model=TicketSummary, dependencies=[CsrfChecked])
def resolve(body: CloseIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketSummary:
    """Closes the ticket; the conversation goes back to the assistant (with your message, if any)."""
    return summary(run(lambda: inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=False,
                                                     message=body.message)))


@router.post("/{ticket_id}/hand-back", response_model=TicketSummary, dependencies=[CsrfChecked])
def hand_back(body: CloseIn, db_session: SessionDep, user: TicketReader, ticket: TicketDep) -> TicketSummary:
    """Hands the conversation back to the assistant with a short message to the candidate; closes the ticket."""
    return summary(run(lambda: inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=True,
                                                     message=body.message)))
