"""Shapes of the ATS import rows (JSON API and CLI importer)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.candidates import parsing
from assistant.candidates.stages import Stage


InterviewKind = Literal["phone", "video", "technical", "behavioural", "panel", "onsite", "final"]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def require_offset(value: datetime) -> datetime:
    """Returns value when it carries a time zone offset; raises ValueError otherwise."""
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. 2026-11-20T09:00:00Z")
    return value


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


ROW_TYPES: dict[str, type[Row]] = {
    "candidates": CandidateRow, "applications": ApplicationRow, "stage-changes": StageChangeRow, "interviews": InterviewRow,
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
