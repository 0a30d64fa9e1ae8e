"""Shapes of the ATS import rows (JSON API and CLI importer)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.audit.self_id import RACES, SEXES
from assistant.candidates import parsing
from assistant.candidates.stages import Stage


InterviewKind = Literal["phone", "video", "technical", "behavioural", "panel", "onsite", "final"]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def require_offset(value: datetime) -> datetime:
    """Returns value in UTC when it carries a time zone offset; raises ValueError otherwise. (UTC because
    SQLite keeps a stored time's wall clock and drops its offset: 10:00+01:00 would read back as 10:00 UTC.)"""
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. 2026-11-20T09:00:00Z")
    return value.astimezone(timezone.utc)


class CandidateRow(Row):
    external_id: str = Field(min_length=1, max_length=64)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: str
    phone: str | None = None
    location: str | None = Field(default=None, max_length=100)
    time_zone: str = "UTC"
    language: str = Field(default="en", max_length=8)
    skills: list[str] = Field(default_factory=list)
    years_experience: float | None = Field(default=None, ge=0, le=70)
    desired_roles: list[str] = Field(default_factory=list)
    work_preference: Literal["remote", "hybrid", "onsite", "any"] = "any"
    preferred_locations: list[str] = Field(default_factory=list)
    contact_channel: Literal["email", "phone", "sms"] = "email"
    contact_hours: str | None = Field(default=None, max_length=64)
    job_alerts: bool = False
    consents: dict = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            return parsing.parse_email(value)
        except parsing.InvalidValue:
            raise ValueError("not a valid e-mail address") from None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("+", "00")):
            raise ValueError("needs the country code, e.g. +44 7700 900123")
        try:
            return parsing.parse_phone(value)
        except parsing.InvalidValue:
            raise ValueError("not a valid phone number") from None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone, e.g. Europe/Lisbon") from None
        return value


class ApplicationRow(Row):
    external_id: str = Field(min_length=1, max_length=64)
    candidate_external_id: str = Field(min_length=1, max_length=64)
    job_external_id: str = Field(min_length=1, max_length=64)
    stage: Stage = Stage.APPLIED
    applied_at: datetime
    stage_changed_at: datetime | None = None

    _aware = field_validator("applied_at", "stage_changed_at")(lambda cls, v: v if v is None else require_offset(v))


class StageChangeRow(Row):
    application_external_id: str = Field(min_length=1, max_length=64)
    stage: Stage
    changed_at: datetime
    source: Literal["ats", "recruiter"] = "ats"

    _aware = field_validator("changed_at")(lambda cls, v: require_offset(v))


class InterviewRow(Row):
    external_id: str = Field(min_length=1, max_length=64)
    application_external_id: str = Field(min_length=1, max_length=64)
    scheduled_at: datetime
    duration_minutes: int = Field(default=60, gt=0, le=600)
    kind: InterviewKind
    location: str | None = Field(default=None, max_length=200)
    meeting_link: str | None = Field(default=None, max_length=500, pattern=r"^https://")
    interviewer_names: list[str] = Field(default_factory=list)
    notes_for_candidate: str | None = Field(default=None, max_length=2000)

    _aware = field_validator("scheduled_at")(lambda cls, v: require_offset(v))


class OfferRow(Row):
    external_id: str = Field(min_length=1, max_length=64)
    application_external_id: str = Field(min_length=1, max_length=64)
    status: Literal["made", "accepted", "declined"]
    made_at: datetime
    decided_at: datetime | None = None

    _aware = field_validator("made_at", "decided_at")(lambda cls, v: v if v is None else require_offset(v))

    @model_validator(mode="after")
    def _decided(self) -> "OfferRow":
        if self.status != "made" and self.decided_at is None:
            raise ValueError("decided_at: needed for an accepted or declined offer")
        if self.decided_at is not None and self.decided_at < self.made_at:
            raise ValueError("decided_at: before made_at")
        return self


class HireRow(Row):
    application_external_id: str = Field(min_length=1, max_length=64)
    hired_at: datetime

    _aware = field_validator("hired_at")(lambda cls, v: require_offset(v))


class JobFillRow(Row):
    job_external_id: str = Field(min_length=1, max_length=64)
    filled_at: datetime
    opened_at: datetime | None = None  # default: when the job was posted

    _aware = field_validator("filled_at", "opened_at")(lambda cls, v: v if v is None else require_offset(v))


class SelfIdentificationRow(Row):
    """Voluntary; stored apart and read only by the bias audit. Use "declined" when the candidate declined."""

    candidate_external_id: str = Field(min_length=1, max_length=64)
    sex: Literal[SEXES]  # type: ignore[valid-type]
    race_ethnicity: Literal[RACES]  # type: ignore[valid-type]


ROW_TYPES: dict[str, type[Row]] = {
    "candidates": CandidateRow, "applications": ApplicationRow, "stage-changes": StageChangeRow, "interviews": InterviewRow,
    "offers": OfferRow, "hires": HireRow, "job-fills": JobFillRow, "self-identification": SelfIdentificationRow,
}


class RowError(BaseModel):
    row: int
    external_id: str | None
    errors: list[str]


class ImportResult(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = Field(default_factory=list)
