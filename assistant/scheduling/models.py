"""Interview self-scheduling: slots published by recruiters or the ATS, interviews waiting to be booked, bookings.

Two candidates can never hold the same slot: an active booking copies its slot into ``active_slot_id``, which
is unique (cancelled bookings set it to NULL, and NULLs never collide), so the database refuses the second
of two simultaneous bookings on any number of processes. ``active_request_id`` does the same for one
active booking per interview request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db import Base, utcnow

INTERVIEW_PREFIX = "BOOKING-"  # the candidate record's Interview.external_id of a booking: BOOKING-<booking id>


class InterviewSlot(Base):
    __tablename__ = "interview_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    kind: Mapped[str] = mapped_column(String(32), default="video")  # phone|video|technical|behavioural|panel|onsite|final
    location: Mapped[str | None] = mapped_column(String(200))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    interviewer_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(32), default="ats")  # ats | staff:<id> | demo
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    job: Mapped["Job"] = relationship()  # noqa: F821 - assistant.jobs.models


class InterviewRequest(Base):
    """An application whose stage needs an interview the candidate books themselves (created by the ATS)."""

    __tablename__ = "interview_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="video")
    notes_for_candidate: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed (the ATS no longer wants it)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    application: Mapped["Application"] = relationship()  # noqa: F821 - assistant.candidates.models


class InterviewBooking(Base):
    """One booking of a request; rescheduling moves it to another slot (same iCalendar UID, SEQUENCE + 1)."""

    __tablename__ = "interview_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(128), unique=True)  # iCalendar UID, stable for the booking's life
    request_id: Mapped[int] = mapped_column(ForeignKey("interview_request.id", ondelete="CASCADE"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("interview_slot.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    active_slot_id: Mapped[int | None] = mapped_column(ForeignKey("interview_slot.id"), unique=True)
    active_request_id: Mapped[int | None] = mapped_column(ForeignKey("interview_request.id"), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: bumped on each change
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(16), default="candidate")  # candidate | recruiter | ats
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    slot: Mapped[InterviewSlot] = relationship(foreign_keys=[slot_id])
    request: Mapped[InterviewRequest] = relationship(foreign_keys=[request_id])
    candidate: Mapped["Candidate"] = relationship()  # noqa: F821 - assistant.candidates.models
