"""Interview self-scheduling: publish slots, find what a candidate may book, book, move and cancel.

Rules in one place: a slot is offered only between ``scheduling_change_cutoff_hours`` and
``scheduling_offer_days`` ahead, for the job of the application; a booking can be moved or cancelled by
the candidate until the cutoff before its interview (later, a recruiter helps). The database guarantees
that a slot has at most one active booking (``InterviewBooking.active_slot_id`` is unique): the loser of two
simultaneous bookings gets ``SlotTaken``. Each booking keeps the matching ``Interview`` row of the candidate
record up to date, so "when is my interview?" answers with it. Callers commit, then call
``assistant.scheduling.notify.announce`` (mail and webhook never run inside the transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.audit.service import Actor
from assistant.candidates import ats, stages
from assistant.candidates import service as candidates_service
from assistant.candidates.models import Application, Candidate, Interview
from assistant.candidates.schemas import ImportResult
from assistant.db import as_utc, utcnow
from assistant.jobs import service as jobs_service
from assistant.jobs.models import Job
from assistant.scheduling.models import INTERVIEW_PREFIX, InterviewBooking, InterviewRequest, InterviewSlot
from assistant.scheduling.schemas import BookingRead, RequestRow, SlotIn, SlotRead, SlotRow
from assistant.settings import get_settings

BOOKING_FIELDS = ["slot", "status"]
TIME_FIELDS = ("job_id", "starts_at", "duration_minutes")  # fixed while a slot is booked


class SchedulingError(ValueError):
    """A booking change that cannot be made; str(error) says why, in words a candidate or recruiter can read."""


class SlotTaken(SchedulingError):
    """Someone else holds the slot (also raised to the loser of two simultaneous bookings)."""


class TooLate(SchedulingError):
    """The interview is closer than the change cutoff: only a recruiter can change it now."""


# ---- lookups -------------------------------------------------------------------------------------

def get_slot(*, db_session: Session, external_id: str) -> InterviewSlot | None:
    """Returns the slot with this external id, or None."""
    return db_session.scalar(select(InterviewSlot).where(InterviewSlot.external_id == external_id))


def get_slot_or_raise(*, db_session: Session, external_id: str) -> InterviewSlot:
    """Returns the slot with this external id; raises LookupError naming the field."""
    slot = get_slot(db_session=db_session, external_id=external_id)
    if slot is None:
        raise LookupError(f"slot: no slot {external_id!r}")
    return slot


def get_booking(*, db_session: Session, booking_id: int) -> InterviewBooking | None:
    """Returns the booking with this id, or None."""
    return db_session.get(InterviewBooking, booking_id)


def get_booking_or_raise(*, db_session: Session, booking_id: int) -> InterviewBooking:
    """Returns the booking with this id; raises LookupError naming the field."""
    booking = get_booking(db_session=db_session, booking_id=booking_id)
    if booking is None:
        raise LookupError(f"booking: no booking {booking_id}")
    return booking


def active_booking(*, db_session: Session, request: InterviewRequest) -> InterviewBooking | None:
    """Returns the request's booking that is not cancelled, or None."""
    return db_session.scalar(select(InterviewBooking).where(InterviewBooking.active_request_id == request.id))


@dataclass(frozen=True)
class Pending:
    """What a candidate can do: the request (interview to book) and its current booking, if any."""

    request: InterviewRequest
    booking: InterviewBooking | None


def pending_for(*, db_session: Session, candidate: Candidate, actor: Actor) -> Pending | None:
    """Returns the candidate's open interview request on an active application (soonest booked first), or None."""
    rows = db_session.scalars(
        select(InterviewRequest).join(Application).where(Application.candidate_id == candidate.id,
                                                         InterviewRequest.status == "open")
        .order_by(InterviewRequest.created_at, InterviewRequest.id))
    found = [Pending(r, active_booking(db_session=db_session, request=r)) for r in rows if stages.is_active(r.application.stage)]
    if not found:
        return None
    found.sort(key=lambda p: (p.booking is None, as_utc(p.booking.slot.starts_at) if p.booking else as_utc(p.request.created_at)))
    chosen = found[0]
    audit_service.record(db_session=db_session, actor=actor, action="read", entity="interview_request",
                         entity_id=chosen.request.external_id, candidate_id=candidate.id,
                         fields=["kind", "application", *(["booking"] if chosen.booking else [])])
    return chosen


def upcoming_bookings(*, db_session: Session, candidate: Candidate, now: datetime | None = None) -> list[InterviewBooking]:
    """Returns the candidate's active bookings whose interview has not started yet, soonest first."""
    now = now or utcnow()
    return list(db_session.scalars(
        select(InterviewBooking).join(InterviewSlot, InterviewSlot.id == InterviewBooking.active_slot_id)
        .where(InterviewBooking.candidate_id == candidate.id, InterviewSlot.starts_at > now)
        .order_by(InterviewSlot.starts_at, InterviewBooking.id)))


# ---- rules ---------------------------------------------------------------------------------------

def change_deadline(slot: InterviewSlot) -> datetime:
    """Returns the last moment the candidate can book, move or cancel this slot in the chat."""
    return as_utc(slot.starts_at) - timedelta(hours=get_settings().scheduling_change_cutoff_hours)


def can_change(booking: InterviewBooking, now: datetime | None = None) -> bool:
    """Returns True while the candidate may still move or cancel this booking themselves."""
    return (now or utcnow()) <= change_deadline(booking.slot)


def available_slots(*, db_session: Session, request: InterviewRequest, now: datetime | None = None,
                    limit: int = 100) -> list[InterviewSlot]:
    """Returns the soonest free slots (at most limit) this request can book."""
    now = now or utcnow()
    settings = get_settings()
    taken = select(InterviewBooking.active_slot_id).where(InterviewBooking.active_slot_id.is_not(None))
    query = (select(InterviewSlot)
             .where(InterviewSlot.job_id == request.application.job_id, InterviewSlot.removed_at.is_(None),
                    InterviewSlot.starts_at > now + timedelta(hours=settings.scheduling_change_cutoff_hours),
                    InterviewSlot.starts_at <= now + timedelta(days=settings.scheduling_offer_days),
                    InterviewSlot.id.not_in(taken))
             .order_by(InterviewSlot.starts_at, InterviewSlot.id).limit(limit))
    return list(db_session.scalars(query))


def _check_bookable(db_session: Session, request: InterviewRequest, slot: InterviewSlot, now: datetime) -> None:
    if request.status != "open" or not stages.is_active(request.application.stage):
        raise SchedulingError("this interview no longer needs booking")
    if slot.job_id != request.application.job_id or slot.removed_at is not None:
        raise SlotTaken("that time is no longer offered")
    if as_utc(slot.starts_at) <= now + timedelta(hours=get_settings().scheduling_change_cutoff_hours):
        raise SlotTaken("that time is too soon to book")


def slot_when(slot: InterviewSlot, tz: ZoneInfo) -> str:
    """Returns the slot's day and time in tz, e.g. 'Tuesday 8 December, 10:00–10:45 (Europe/Berlin time)'."""
    return f"{slot_label(slot, tz, long=True)} ({tz.key} time)"


def slot_label(slot: InterviewSlot, tz: ZoneInfo, long: bool = False) -> str:
    """Returns the slot's day and time in tz, short ('Tue 8 Dec, 10:00–10:45') or long ('Tuesday 8 December, ...')."""
    start = as_utc(slot.starts_at).astimezone(tz)
    end = start + timedelta(minutes=slot.duration_minutes)
    day = f"{start:%A %-d %B}" if long else f"{start:%a %-d %b}"
    return f"{day}, {start:%H:%M}–{end:%H:%M}"


# ---- changes -------------------------------------------------------------------------------------

def book(*, db_session: Session, request: InterviewRequest, slot: InterviewSlot, actor: Actor,
         now: datetime | None = None) -> InterviewBooking:
    """Returns the new booking of slot for request (a request already booked is moved instead)."""
    now = now or utcnow()
    current = active_booking(db_session=db_session, request=request)
    if current is not None:
        return reschedule(db_session=db_session, booking=current, slot=slot, actor=actor, now=now)
    _check_bookable(db_session, request, slot, now)
    domain = get_settings().mail_from.rpartition("@")[2] or "candidate-assistant"
    booking = InterviewBooking(uid=f"{uuid.uuid4()}@{domain}", request_id=request.id, slot_id=slot.id,
                               candidate_id=request.application.candidate_id, status="booked", active_slot_id=slot.id,
                               active_request_id=request.id, sequence=0, booked_at=now, updated_at=now,
                               changed_by=actor.type)
    try:
        with db_session.begin_nested():
            db_session.add(booking)
            db_session.flush()
    except IntegrityError:
        raise SlotTaken("someone else has just booked that time") from None
    _sync_interview(db_session, booking)
    _audit(db_session, booking, actor, "create")
    return booking


def reschedule(*, db_session: Session, booking: InterviewBooking, slot: InterviewSlot, actor: Actor,
               now: datetime | None = None, enforce_cutoff: bool = True) -> InterviewBooking:
    """Returns the booking moved to slot (same UID, SEQUENCE + 1); a candidate cannot move it after the cutoff."""
    now = now or utcnow()
    if booking.status != "booked":
        raise SchedulingError("this booking is cancelled")
    if enforce_cutoff and not can_change(booking, now):
        raise TooLate("the interview is too close to move here")
    if slot.id == booking.slot_id:
        return booking
    _check_bookable(db_session, booking.request, slot, now)
    try:
        with db_session.begin_nested():
            booking.slot_id = booking.active_slot_id = slot.id
            booking.sequence += 1
            booking.updated_at, booking.changed_by = now, actor.type
            db_session.flush()
    except IntegrityError:
        db_session.refresh(booking)
        raise SlotTaken("someone else has just booked that time") from None
    db_session.refresh(booking, ["slot"])
    _sync_interview(db_session, booking)
    _audit(db_session, booking, actor, "update")
    return booking


def cancel(*, db_session: Session, booking: InterviewBooking, actor: Actor, now: datetime | None = None,
           enforce_cutoff: bool = True) -> InterviewBooking:
    """Returns the booking cancelled (its slot free again); a candidate cannot cancel after the cutoff."""
    now = now or utcnow()
    if booking.status != "booked":
        return booking
    if enforce_cutoff and not can_change(booking, now):
        raise TooLate("the interview is too close to cancel here")
    booking.status, booking.active_slot_id, booking.active_request_id = "cancelled", None, None
    booking.sequence += 1
    booking.cancelled_at = booking.updated_at = now
    booking.changed_by = actor.type
    db_session.flush()
    _sync_interview(db_session, booking)
    _audit(db_session, booking, actor, "update")
    return booking


def _interview_external_id(booking: InterviewBooking) -> str:
    return f"{INTERVIEW_PREFIX}{booking.id}"


def _sync_interview(db_session: Session, booking: InterviewBooking) -> None:
    """Keeps the candidate record's Interview row in step with the booking (removed when cancelled)."""
    interview = db_session.scalar(select(Interview).where(Interview.external_id == _interview_external_id(booking)))
    if booking.status != "booked":
        if interview is not None:
            db_session.delete(interview)
            db_session.flush()
        return
    slot, request = booking.slot, booking.request
    values = {"application_id": request.application_id, "scheduled_at": slot.starts_at, "duration_minutes": slot.duration_minutes,
              "kind": slot.kind, "location": slot.location, "meeting_link": slot.meeting_link,
              "interviewer_names": list(slot.interviewer_names), "notes_for_candidate": request.notes_for_candidate}
    if interview is None:
        db_session.add(Interview(external_id=_interview_external_id(booking), **values))
    else:
        ats.assign_changed(interview, values)
    db_session.flush()


def _audit(db_session: Session, booking: InterviewBooking, actor: Actor, action: str) -> None:
    audit_service.record(db_session=db_session, actor=actor, action=action, entity="interview_booking",
                         entity_id=booking.uid, candidate_id=booking.candidate_id, fields=BOOKING_FIELDS)


# ---- publishing slots (ATS and recruiters) -------------------------------------------------------

def _job(db_session: Session, external_id: str) -> Job:
    job = jobs_service.get_by_external_id(db_session=db_session, external_id=external_id)
    if job is None:
        raise ats.RowProblem(f"job_external_id: no job {external_id!r}")
    return job


def is_booked(*, db_session: Session, slot: InterviewSlot) -> bool:
    """Returns True when the slot has an active booking."""
    return db_session.scalar(select(InterviewBooking.id).where(InterviewBooking.active_slot_id == slot.id)) is not None


def upsert_slot(*, db_session: Session, row: SlotRow, source: str, now: datetime | None = None) -> str:
    """Creates, updates or removes a slot by external id; returns created|updated|unchanged (RowProblem if booked)."""
    now = now or utcnow()
    job = _job(db_session, row.job_external_id)
    values = row.model_dump(exclude={"external_id", "job_external_id", "removed"}) | {"job_id": job.id}
    slot = get_slot(db_session=db_session, external_id=row.external_id)
    if slot is None:
        if row.removed:
            return "unchanged"
        db_session.add(InterviewSlot(external_id=row.external_id, source=source, **values))
        db_session.flush()
        return "created"
    booked = is_booked(db_session=db_session, slot=slot)
    if booked and (row.removed or any(not ats.same_value(getattr(slot, name), values[name]) for name in TIME_FIELDS)):
        raise ats.RowProblem("external_id: this slot is booked; cancel or move the booking before changing its time")
    changed = ats.assign_changed(slot, values)  # details of a booked slot (link, interviewers) may change
    if row.removed and slot.removed_at is None:
        slot.removed_at = now
        changed.append("removed_at")
    elif not row.removed and slot.removed_at is not None:
        slot.removed_at = None
        changed.append("removed_at")
    db_session.flush()
    if booked and changed:
        booking = db_session.scalar(select(InterviewBooking).where(InterviewBooking.active_slot_id == slot.id))
        _sync_interview(db_session, booking)
    return "updated" if changed else "unchanged"


def _upsert_request(db_session: Session, row: RequestRow, actor: Actor) -> str:
    application = candidates_service.get_application_by_external_id(db_session=db_session,
                                                                     external_id=row.application_external_id)
    if application is None:
        raise ats.RowProblem(f"application_external_id: no application {row.application_external_id!r}")
    values = row.model_dump(exclude={"external_id", "application_external_id"}) | {"application_id": application.id}
    return ats.upsert_by_external_id(db_session, InterviewRequest, external_id=row.external_id, values=values,
                                     actor=actor, entity="interview_request", candidate_id=application.candidate_id)


def import_slots(*, db_session: Session, rows: list, actor: Actor) -> ImportResult:
    """Returns the counts and per-row errors of an idempotent slot import (by external id)."""
    return ats.import_with(db_session=db_session, rows=rows, row_type=SlotRow, actor=actor,
                           handler=lambda db, row, who: upsert_slot(db_session=db, row=row, source=who.type))


def import_requests(*, db_session: Session, rows: list, actor: Actor) -> ImportResult:
    """Returns the counts and per-row errors of an idempotent interview-request import (by external id)."""
    return ats.import_with(db_session=db_session, rows=rows, row_type=RequestRow, handler=_upsert_request, actor=actor)


def staff_actor(*, staff_id: int) -> Actor:
    """Returns the audit actor of a recruiter working in the inbox."""
    return Actor(type="recruiter", id=str(staff_id), channel="inbox")


def add_slot(*, db_session: Session, slot_in: SlotIn, actor: Actor) -> InterviewSlot:
    """Returns the new slot a recruiter published (a time without an offset is read in settings.business_timezone)."""
    starts_at = slot_in.starts_at
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=ZoneInfo(get_settings().business_timezone))
    row = SlotRow(external_id=f"SLOT-{uuid.uuid4().hex[:12]}", **(slot_in.model_dump() | {"starts_at": starts_at}))
    try:
        upsert_slot(db_session=db_session, row=row, source=f"{actor.type}:{actor.id}"[:32])
    except ats.RowProblem as problem:
        raise SchedulingError(str(problem)) from None
    return get_slot_or_raise(db_session=db_session, external_id=row.external_id)


def remove_slot(*, db_session: Session, slot: InterviewSlot, now: datetime | None = None) -> InterviewSlot:
    """Returns the slot withdrawn from offer; raises SchedulingError when someone has booked it."""
    if is_booked(db_session=db_session, slot=slot):
        raise SchedulingError("this slot is booked: cancel the booking first")
    slot.removed_at = now or utcnow()
    db_session.flush()
    return slot


# ---- reading for recruiters and the ATS ----------------------------------------------------------

def upcoming_slots(*, db_session: Session, now: datetime | None = None, limit: int = 500) -> list[tuple[InterviewSlot, InterviewBooking | None]]:
    """Returns the slots from now on that are not removed, each with its active booking, soonest first."""
    now = now or utcnow()
    query = (select(InterviewSlot, InterviewBooking)
             .outerjoin(InterviewBooking, InterviewBooking.active_slot_id == InterviewSlot.id)
             .where(InterviewSlot.removed_at.is_(None), InterviewSlot.starts_at >= now - timedelta(hours=2))
             .order_by(InterviewSlot.starts_at, InterviewSlot.id).limit(limit))
    return [(slot, booking) for slot, booking in db_session.execute(query)]


def bookings_since(*, db_session: Session, since: datetime | None, limit: int = 500) -> list[InterviewBooking]:
    """Returns the bookings changed at or after since (all when None), oldest change first."""
    query = select(InterviewBooking).order_by(InterviewBooking.updated_at, InterviewBooking.id).limit(limit)
    if since is not None:
        query = query.where(InterviewBooking.updated_at >= since)
    return list(db_session.scalars(query))


def booking_read(booking: InterviewBooking) -> BookingRead:
    """Returns the ATS view of a booking."""
    slot, request = booking.slot, booking.request
    application = request.application
    return BookingRead(uid=booking.uid, status=booking.status, sequence=booking.sequence,
                       request_external_id=request.external_id, application_external_id=application.external_id,
                       candidate_external_id=application.candidate.external_id, job_external_id=slot.job.external_id,
                       slot_external_id=slot.external_id, starts_at=as_utc(slot.starts_at),
                       duration_minutes=slot.duration_minutes, kind=slot.kind, changed_by=booking.changed_by,
                       booked_at=as_utc(booking.booked_at),
                       cancelled_at=as_utc(booking.cancelled_at) if booking.cancelled_at else None,
                       updated_at=as_utc(booking.updated_at))


def slot_read(slot: InterviewSlot, booking: InterviewBooking | None) -> SlotRead:
    """Returns the staff and ATS view of a slot with its active booking."""
    return SlotRead(external_id=slot.external_id, job_external_id=slot.job.external_id, job_title=slot.job.title,
                    starts_at=as_utc(slot.starts_at), duration_minutes=slot.duration_minutes, kind=slot.kind,
                    location=slot.location, meeting_link=slot.meeting_link, interviewer_names=list(slot.interviewer_names),
                    booking=booking_read(booking) if booking else None)


def read_bookings(*, db_session: Session, rows: list[tuple[InterviewSlot, InterviewBooking | None]], actor: Actor) -> None:
    """Records that a recruiter saw who booked these slots (one audit entry per booking shown)."""
    for _slot, booking in rows:
        if booking is not None:
            audit_service.record(db_session=db_session, actor=actor, action="read", entity="interview_booking",
                                 entity_id=booking.uid, candidate_id=booking.candidate_id, fields=["name", "slot"])
