"""Interview scheduling over HTTP: the ATS publishes slots and interview requests and reads bookings
(``/api/ats/...``, X-API-Key); recruiters manage slots and bookings (``/api/scheduling``, JSON with the CSRF
header; ``/inbox/scheduling``, the page). Booking changes are announced (mail, webhook) after the commit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from api.deps import SessionDep
from api.routes.ats import MAX_ROWS, require_api_key
from api.routes.auth import CsrfChecked, PageTicketReader, TicketReader, csrf_token
from api.templating import templates
from assistant.audit.service import ATS_API
from assistant.candidates.schemas import ImportResult
from assistant.jobs import service as jobs_service
from assistant.scheduling import notify
from assistant.scheduling import service as scheduling_service
from assistant.scheduling.models import InterviewBooking, InterviewSlot
from assistant.scheduling.schemas import BookingFeed, BookingRead, SlotIn, SlotRead
from assistant.settings import get_settings

Rows = Annotated[list[Any], Body(description="JSON array of rows (objects); each row is validated on its own.", max_length=MAX_ROWS)]
ats_router = APIRouter(prefix="/api/ats", tags=["ATS integration"], dependencies=[Depends(require_api_key)])
router = APIRouter(prefix="/api/scheduling", tags=["scheduling"])
pages = APIRouter(prefix="/inbox/scheduling", include_in_schema=False)


# ---- ATS -----------------------------------------------------------------------------------------

@ats_router.post("/interview-slots", response_model=ImportResult)
def upsert_slots(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Creates, updates or removes (``removed: true``) interview slots by external_id; a booked slot keeps its time."""
    return scheduling_service.import_slots(db_session=db_session, rows=rows, actor=ATS_API)


@ats_router.post("/interview-requests", response_model=ImportResult)
def upsert_requests(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Invites candidates to book an interview for an application (by external_id; ``status: closed`` withdraws it)."""
    return scheduling_service.import_requests(db_session=db_session, rows=rows, actor=ATS_API)


@ats_router.get("/bookings", response_model=BookingFeed)
def bookings_feed(db_session: SessionDep, since: datetime | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 500) -> BookingFeed:
    """Bookings created, moved or cancelled at or after ``since`` (oldest first); poll with ``next_since``."""
    if since is not None and since.tzinfo is None:
        raise HTTPException(status_code=422, detail="since: needs a time zone offset, e.g. 2026-11-20T09:00:00Z")
    bookings = scheduling_service.bookings_since(db_session=db_session, since=since, limit=limit)
    reads = [scheduling_service.booking_read(b) for b in bookings]
    return BookingFeed(bookings=reads, next_since=reads[-1].updated_at if reads else since)


# ---- recruiters (JSON) ---------------------------------------------------------------------------

def _slot(db_session: SessionDep, external_id: str) -> InterviewSlot:
    slot = scheduling_service.get_slot(db_session=db_session, external_id=external_id)
    if slot is None:
        raise HTTPException(status_code=404, detail=f"no slot {external_id!r}")
    return slot


def _booking(db_session: SessionDep, booking_id: int) -> InterviewBooking:
    booking = scheduling_service.get_booking(db_session=db_session, booking_id=booking_id)
    if booking is None:
        raise HTTPException(status_code=404, detail=f"no booking {booking_id}")
    return booking


SlotDep = Annotated[InterviewSlot, Depends(_slot)]
BookingDep = Annotated[InterviewBooking, Depends(_booking)]


@router.get("/slots", response_model=list[SlotRead])
def list_slots(db_session: SessionDep, user: TicketReader) -> list[SlotRead]:
    """Upcoming slots with who booked them (recruiters and admins)."""
    rows = scheduling_service.upcoming_slots(db_session=db_session)
    scheduling_service.read_bookings(db_session=db_session, rows=rows, actor=scheduling_service.staff_actor(staff_id=user.id))
    return [scheduling_service.slot_read(slot, booking) for slot, booking in rows]


@router.post("/slots", response_model=SlotRead, status_code=201, dependencies=[CsrfChecked])
def add_slot(slot_in: SlotIn, db_session: SessionDep, user: TicketReader) -> SlotRead:
    """Publishes one slot (a time without an offset is in the business time zone)."""
    try:
        slot = scheduling_service.add_slot(db_session=db_session, slot_in=slot_in,
                                           actor=scheduling_service.staff_actor(staff_id=user.id))
    except scheduling_service.SchedulingError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return scheduling_service.slot_read(slot, None)


@router.delete("/slots/{external_id}", status_code=204, dependencies=[CsrfChecked])
def remove_slot(db_session: SessionDep, user: TicketReader, slot: SlotDep) -> None:
    """Withdraws a slot nobody has booked (409 when booked: cancel the booking first)."""
    try:
        scheduling_service.remove_slot(db_session=db_session, slot=slot)
    except scheduling_service.SchedulingError as error:
        raise HTTPException(status_code=409, detail=str(error)) from error


def _cancel_for_candidate(db_session, booking: InterviewBooking, user) -> InterviewBooking:
    """Cancels a booking for the candidate (recruiters are not bound by the cutoff), commits, then announces it."""
    was_booked = booking.status == "booked"
    scheduling_service.cancel(db_session=db_session, booking=booking, enforce_cutoff=False,
                              actor=scheduling_service.staff_actor(staff_id=user.id))
    db_session.commit()
    if was_booked:
        notify.announce(booking_id=booking.id, change="cancelled")
    return booking


@router.post("/bookings/{booking_id}/cancel", response_model=BookingRead, dependencies=[CsrfChecked])
def cancel_booking(db_session: SessionDep, user: TicketReader, booking: BookingDep) -> BookingRead:
    """Cancels a booking; the candidate gets the calendar cancellation and the ATS hears of it."""
    return scheduling_service.booking_read(_cancel_for_candidate(db_session, booking, user))


# ---- the inbox page ------------------------------------------------------------------------------

def _page(request: Request, db_session, user, error: str = "", status_code: int = 200) -> HTMLResponse:
    rows = scheduling_service.upcoming_slots(db_session=db_session)
    scheduling_service.read_bookings(db_session=db_session, rows=rows, actor=scheduling_service.staff_actor(staff_id=user.id))
    jobs = sorted(jobs_service.list_open_jobs(db_session=db_session), key=lambda job: job.title)
    context = {"user": user, "csrf": csrf_token(request), "rows": rows, "jobs": jobs, "error": error,
               "timezone": get_settings().business_timezone, "cutoff": f"{get_settings().scheduling_change_cutoff_hours:g}"}
    return templates.TemplateResponse(request, "inbox/scheduling.html", context, status_code=status_code)


def _back(error: str = "") -> RedirectResponse:
    return RedirectResponse("/inbox/scheduling" + (f"?error={quote(error)}" if error else ""), status_code=303)


@pages.get("", response_class=HTMLResponse)
def scheduling_page(request: Request, db_session: SessionDep, user: PageTicketReader, error: str = ""):
    return _page(request, db_session, user, error)


@pages.post("/slots", dependencies=[CsrfChecked])
def add_slot_form(db_session: SessionDep, user: PageTicketReader, job_external_id: Annotated[str, Form()] = "",
                  starts_at: Annotated[str, Form()] = "", duration_minutes: Annotated[int, Form()] = 45,
                  kind: Annotated[str, Form()] = "video", location: Annotated[str, Form()] = "",
                  meeting_link: Annotated[str, Form()] = "", interviewer_names: Annotated[str, Form()] = ""):
    try:
        slot_in = SlotIn(job_external_id=job_external_id, starts_at=starts_at, duration_minutes=duration_minutes, kind=kind,
                         location=location or None, meeting_link=meeting_link or None,
                         interviewer_names=[n.strip() for n in interviewer_names.split(",") if n.strip()])
        scheduling_service.add_slot(db_session=db_session, slot_in=slot_in, actor=scheduling_service.staff_actor(staff_id=user.id))
    except ValidationError as error:
        return _back("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    except scheduling_service.SchedulingError as error:
        return _back(str(error))
    return _back()


@pages.post("/slots/{external_id}/remove", dependencies=[CsrfChecked])
def remove_slot_form(db_session: SessionDep, user: PageTicketReader, slot: SlotDep):
    try:
        scheduling_service.remove_slot(db_session=db_session, slot=slot)
    except scheduling_service.SchedulingError as error:
        return _back(str(error))
    return _back()


@pages.post("/bookings/{booking_id}/cancel", dependencies=[CsrfChecked])
def cancel_booking_form(db_session: SessionDep, user: PageTicketReader, booking: BookingDep):
    _cancel_for_candidate(db_session, booking, user)
    return _back()
