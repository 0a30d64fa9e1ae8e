"""Shapes of the scheduling API: ATS rows (slots, interview requests), staff forms and the bookings feed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from assistant.candidates.schemas import InterviewKind, Row, require_offset


class SlotRow(Row):
    """An interview time offered for one job (``removed: true`` withdraws a slot nobody has booked)."""

    external_id: str = Field(min_length=1, max_length=64)
    job_external_id: str = Field(min_length=1, max_length=64)
    starts_at: datetime
    duration_minutes: int = Field(default=45, gt=0, le=600)
    kind: InterviewKind = "video"
    location: str | None = Field(default=None, max_length=200)
    meeting_link: str | None = Field(default=None, max_length=500, pattern=r"^https://")
    interviewer_names: list[str] = Field(default_factory=list)
    removed: bool = False

    _aware = field_validator("starts_at")(lambda cls, v: require_offset(v))


class RequestRow(Row):
    """An application whose candidate is invited to book an interview (``status: closed`` when no longer needed)."""

    external_id: str = Field(min_length=1, max_length=64)
    application_external_id: str = Field(min_length=1, max_length=64)
    kind: InterviewKind = "video"
    notes_for_candidate: str | None = Field(default=None, max_length=2000)
    status: Literal["open", "closed"] = "open"


class BookingRead(BaseModel):
    """One booking as the ATS sees it (ids and times, never contact data)."""

    uid: str
    status: Literal["booked", "cancelled"]
    sequence: int
    request_external_id: str
    application_external_id: str
    candidate_external_id: str
    job_external_id: str
    slot_external_id: str
    starts_at: datetime
    duration_minutes: int
    kind: str
    changed_by: str
    booked_at: datetime
    cancelled_at: datetime | None
    updated_at: datetime


class BookingFeed(BaseModel):
    bookings: list[BookingRead]
    next_since: datetime | None = Field(description="pass as ?since= to get the changes after these")


class SlotIn(BaseModel):
    """A slot a recruiter adds in the inbox or over the staff API; a time without an offset is business time."""

    job_external_id: str = Field(min_length=1, max_length=64)
    starts_at: datetime
    duration_minutes: int = Field(default=45, gt=0, le=600)
    kind: InterviewKind = "video"
    location: str | None = Field(default=None, max_length=200)
    meeting_link: str | None = Field(default=None, max_length=500, pattern=r"^https://")
    interviewer_names: list[str] = Field(default_factory=list)


class SlotRead(BaseModel):
    external_id: str
    job_external_id: str
    job_title: str
    starts_at: datetime
    duration_minutes: int
    kind: str
    location: str | None
    meeting_link: str | None
    interviewer_names: list[str]
    booking: BookingRead | None
