"""Pydantic shapes of behaviour events posted by the career site."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EventKind = Literal["job_viewed", "apply_started", "apply_completed", "alert_clicked", "not_interested"]
VISITOR_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
MAX_EVENTS_PER_REQUEST = 50


class EventIn(BaseModel):
    """One behaviour event: what happened to which job (by the ATS external id)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: EventKind
    job_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    dwell_seconds: float | None = Field(default=None, ge=0, le=86_400)

    @model_validator(mode="after")
    def _dwell_only_for_views(self) -> "EventIn":
        if self.dwell_seconds is not None and self.kind != "job_viewed":
            raise ValueError("dwell_seconds belongs to job_viewed events only")
        return self


class EventBatch(BaseModel):
    """A request to the events API: a visitor id and/or a signed candidate token, and the events."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    visitor_id: str | None = Field(default=None, pattern=VISITOR_ID_PATTERN)
    candidate_token: str | None = Field(default=None, max_length=4096)
    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class VisitorIssued(BaseModel):
    """A new server-signed anonymous visitor id (assistant.events.visitors)."""

    visitor_id: str


class EventsAccepted(BaseModel):
    accepted: int
    subject: Literal["candidate", "visitor"]
