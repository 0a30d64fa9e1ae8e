"""Pydantic shapes of the jobs concern: an ATS posting as imported, and import reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.db import as_utc

Level = Literal["intern", "junior", "mid", "senior", "lead", "manager", "director"]
Workplace = Literal["remote", "hybrid", "onsite"]
EmploymentType = Literal["full-time", "part-time", "contract", "internship", "temporary"]
LEVELS: tuple[str, ...] = Level.__args__


class JobPosting(BaseModel):
    """One posting in an ATS feed (JSON object or CSV row); unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    title: str = Field(min_length=2, max_length=200)
    department: str = Field(min_length=2, max_length=64)
    level: Level
    city: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=64)
    workplace: Workplace = "onsite"
    employment_type: EmploymentType = "full-time"
    skills: list[str] = Field(default_factory=list, max_length=30)
    summary: str = Field(default="", max_length=5000)
    salary_min: int | None = Field(default=None, ge=0, le=10_000_000)
    salary_max: int | None = Field(default=None, ge=0, le=10_000_000)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    url: str = Field(default="", max_length=500, pattern=r"^(https?://\S+)?$")
    status: Literal["open", "closed"] = "open"
    posted_at: datetime | None = None
    closes_at: datetime | None = None

    @field_validator("department")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("city", "country", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("skills", mode="before")
    @classmethod
    def _split_skills(cls, value):
        if isinstance(value, str):  # CSV: "Python; SQL" or "Python|SQL"
            value = [part for chunk in value.split("|") for part in chunk.split(";")]
        return value

    @field_validator("skills")
    @classmethod
    def _clean_skills(cls, value: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for skill in value:
            skill = skill.strip()
            if len(skill) > 64:
                raise ValueError("a skill is longer than 64 characters")
            if skill and skill.lower() not in seen:
                seen[skill.lower()] = skill
        return list(seen.values())

    @field_validator("salary_min", "salary_max", mode="before")
    @classmethod
    def _blank_salary(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("posted_at", "closes_at", mode="before")
    @classmethod
    def _blank_date(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("posted_at", "closes_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)  # a feed's time without an offset is taken as UTC

    @model_validator(mode="after")
    def _consistent(self) -> "JobPosting":
        if self.salary_min is not None and self.salary_max is not None and self.salary_min > self.salary_max:
            raise ValueError("salary_min is greater than salary_max")
        if self.workplace != "remote" and not self.city:
            raise ValueError("an onsite or hybrid job needs a city")
        if self.posted_at and self.closes_at and self.closes_at < self.posted_at:
            raise ValueError("closes_at is before posted_at")
        return self


class RowError(BaseModel):
    """Why one row of a feed was not imported (row numbers start at 1)."""

    row: int
    external_id: str | None = None
    errors: list[str]


class ImportReport(BaseModel):
    """What an import did: counts per outcome and the rejected rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
