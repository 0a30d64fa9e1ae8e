"""Scheduling rules: what is offered, booking, moving and cancelling with the cutoff, the interview record,
idempotent slot imports and the ATS feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.audit.service import ATS_API
from assistant.candidates import service as candidates_service
from assistant.candidates.models import Interview
from assistant.db import as_utc, utcnow
from assistant.scheduling import service
from assistant.scheduling.models import InterviewSlot
from tests.scheduling.conftest import add_invited, add_slots


def test_offers_free_slots_of_the_job_between_the_cutoff_and_the_horizon(db_session, invited):
    now = utcnow()
    soon, ok1, ok2, far = add_slots(db_session, invited.job, [20, 30, 50, 24 * 30], now=now)
    other = add_invited(db_session)
    add_slots(db_session, other.job, [40], now=now)  # another job's slot
    assert service.available_slots(db_session=db_session, request=invited.request, now=now) == [ok1, ok2]
    ok2.removed_at = now
    assert service.available_slots(db_session=db_session, request=invited.request, now=now) == [ok1]


def test_booking_takes_the_slot_and_writes_the_interview(db_session, invited):
    now = utcnow()
    first, second = add_slots(db_session, invited.job, [30, 50], now=now)
    booking = service.book(db_session=db_session, request=invited.request, slot=first, actor=invited.actor, now=now)
    assert (booking.status, booking.sequence, booking.active_slot_id) == ("booked", 0, first.id)
    assert service.available_slots(db_session=db_session, request=invited.request, now=now) == [second]
    lines = candidates_service.upcoming_interviews(db_session=db_session, candidate=invited.candidate, actor=invited.actor, now=now)
    assert len(lines) == 1 and "**Data Scientist**: video interview" in lines[0] and "Bring questions." in lines[0]


def test_a_second_candidate_cannot_book_a_taken_slot(db_session, invited):
    now = utcnow()
    (slot,) = add_slots(db_session, invited.job, [30], now=now)
    service.book(db_session=db_session, request=invited.request, slot=slot, actor=invited.actor, now=now)
    rival = add_invited(db_session, job=invited.job)
    with pytest.raises(service.SlotTaken):
        service.book(db_session=db_session, request=rival.request, slot=slot, actor=rival.actor, now=now)
    assert service.active_booking(db_session=db_session, request=rival.request) is None


def test_rescheduling_keeps_the_uid_bumps_the_sequence_and_frees_the_old_slot(db_session, invited):
    now = utcnow()
    first, second = add_slots(db_session, invited.job, [30, 50], now=now)
    booking = service.book(db_session=db_session, request=invited.request, slot=first, actor=invited.actor, now=now)
    uid = booking.uid
    moved = service.book(db_session=db_session, request=invited.request, slot=second, actor=invited.actor, now=now)
    assert (moved.id, moved.uid, moved.sequence, moved.slot_id) == (booking.id, uid, 1, second.id)
    assert service.available_slots(db_session=db_session, request=invited.request, now=now) == [first]
    interviews = db_session.scalars(select(Interview).where(Interview.application_id == invited.application.id)).all()
    assert [as_utc(i.scheduled_at) for i in interviews] == [as_utc(second.starts_at)]


def test_moving_or_cancelling_closer_than_the_cutoff_is_refused(db_session, invited):
    now = utcnow()
    first, second = add_slots(db_session, invited.job, [30, 60], now=now)
    booking = service.book(db_session=db_session, request=invited.request, slot=first, actor=invited.actor, now=now)
    later = now + timedelta(hours=7)  # 23 h before the interview
    with pytest.raises(service.TooLate):
        service.reschedule(db_session=db_session, booking=booking, slot=second, actor=invited.actor, now=later)
    with pytest.raises(service.TooLate):
        service.cancel(db_session=db_session, booking=booking, actor=invited.actor, now=later)
    assert booking.status == "booked" and booking.slot_id == first.id
    service.cancel(db_session=db_session, booking=booking, actor=ATS_API, now=later, enforce_cutoff=False)  # a recruiter may
    assert booking.status == "cancelled"


def test_cancelling_frees_the_slot_and_removes_the_interview(db_session, invited):
    now = utcnow()
    (slot,) = add_slots(db_session, invited.job, [30], now=now)
    booking = service.book(db_session=db_session, request=invited.request, slot=slot, actor=invited.actor, now=now)
    service.cancel(db_session=db_session, booking=booking, actor=invited.actor, now=now)
    assert (booking.status, booking.sequence, booking.active_slot_id, booking.active_request_id) == ("cancelled", 1, None, None)
    assert service.available_slots(db_session=db_session, request=invited.request, now=now) == [slot]
    assert candidates_service.upcoming_interviews(db_session=db_session, candidate=invited.candidate, actor=invited.actor, now=now) == []
    again = service.book(db_session=db_session, request=invited.request, slot=slot, actor=invited.actor, now=now)
    assert again.id != booking.id and again.uid != booking.uid


def test_pending_skips_closed_requests_and_inactive_applications(db_session, invited):
    assert service.pending_for(db_session=db_session, candidate=invited.candidate, actor=invited.actor).request == invited.request
    invited.application.stage = "withdrawn"
    assert service.pending_for(db_session=db_session, candidate=invited.candidate, actor=invited.actor) is None
    invited.application.stage = "interviews"
    invited.request.status = "closed"
    assert service.pending_for(db_session=db_session, candidate=invited.candidate, actor=invited.actor) is None


def test_slot_import_is_idempotent_and_protects_booked_times(db_session, invited):
    now = utcnow()
    start = (now + timedelta(days=3)).replace(microsecond=0)
    row = {"external_id": "ATS-SLOT-1", "job_external_id": invited.job.external_id, "starts_at": start.isoformat(),
           "duration_minutes": 30, "kind": "phone"}
    first = service.import_slots(db_session=db_session, rows=[row, {"external_id": "bad"}], actor=ATS_API)
    assert (first.created, len(first.errors)) == (1, 1) and "starts_at" in " ".join(first.errors[0].errors)
    assert service.import_slots(db_session=db_session, rows=[row], actor=ATS_API).unchanged == 1
    slot = service.get_slot_or_raise(db_session=db_session, external_id="ATS-SLOT-1")
    service.book(db_session=db_session, request=invited.request, slot=slot, actor=invited.actor, now=now)
    moved = service.import_slots(db_session=db_session, rows=[row | {"starts_at": (start + timedelta(hours=1)).isoformat()}], actor=ATS_API)
    assert moved.errors and "booked" in moved.errors[0].errors[0]
    relinked = service.import_slots(db_session=db_session, rows=[row | {"meeting_link": "https://meet.example.com/new"}], actor=ATS_API)
    assert relinked.updated == 1
    interview = db_session.scalar(select(Interview).where(Interview.application_id == invited.application.id))
    assert interview.meeting_link == "https://meet.example.com/new"
    with pytest.raises(service.SchedulingError):
        service.remove_slot(db_session=db_session, slot=slot)


def test_removed_slots_are_not_offered(db_session, invited):
    (slot,) = add_slots(db_session, invited.job, [30])
    service.remove_slot(db_session=db_session, slot=slot)
    assert db_session.get(InterviewSlot, slot.id).removed_at is not None
    assert service.available_slots(db_session=db_session, request=invited.request) == []


def test_bookings_feed_lists_changes_since(db_session, invited):
    now = utcnow()
    (slot,) = add_slots(db_session, invited.job, [30], now=now)
    booking = service.book(db_session=db_session, request=invited.request, slot=slot, actor=invited.actor, now=now)
    service.cancel(db_session=db_session, booking=booking, actor=invited.actor, now=now + timedelta(minutes=5))
    feed = service.bookings_since(db_session=db_session, since=now + timedelta(minutes=1))
    assert booking in feed
    read = service.booking_read(booking)
    assert (read.status, read.sequence, read.slot_external_id, read.candidate_external_id) == (
        "cancelled", 1, slot.external_id, invited.candidate.external_id)
    assert booking not in service.bookings_since(db_session=db_session, since=now + timedelta(minutes=6))
