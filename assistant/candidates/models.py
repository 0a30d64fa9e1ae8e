"""Candidate record: candidate, application, stage history and interviews (shared with the ATS)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant import clock
from assistant.db import Base, utcnow


class Candidate(Base):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    phone: Mapped[str | None] = mapped_column(String(32))  # E.164
    location: Mapped[str | None] = mapped_column(String(100))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(8), default="en")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    years_experience: Mapped[float | None] = mapped_column(Float)
    desired_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    work_preference: Mapped[str] = mapped_column(String(16), default="any")  # remote|hybrid|onsite|any
    preferred_locations: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_channel: Mapped[str] = mapped_column(String(16), default="email")  # email|phone|sms
    contact_hours: Mapped[str | None] = mapped_column(String(64))
    job_alerts: Mapped[bool] = mapped_column(Boolean, default=False)
    consents: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    applications: Mapped[list["Application"]] = relationship(back_populates="candidate")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Application(Base):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))  # see assistant.candidates.stages.Stage
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    job: Mapped["Job"] = relationship()  # noqa: F821 - assistant.jobs.models
    history: Mapped[list["StageHistory"]] = relationship(
        back_populates="application", order_by="StageHistory.changed_at"
    )
    interviews: Mapped[list["Interview"]] = relationship(
        back_populates="application", order_by="Interview.scheduled_at"
    )


class StageHistory(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="ats")  # ats|assistant|recruiter

    application: Mapped[Application] = relationship(back_populates="history")


class Interview(Base):
    __tablename__ = "interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    kind: Mapped[str] = mapped_column(String(32))  # phone|video|technical|behavioural|panel|onsite
    location: Mapped[str | None] = mapped_column(String(200))
    meeting_link: Mapped[str | None] = mapped_column(String(500))
    interviewer_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes_for_candidate: Mapped[str | None] = mapped_column(Text)
    # When the ATS created it or the candidate booked it (the settable clock, so journeys can test it);
    # NULL for interviews from before this column, which never start an "interview booked" journey.
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=clock.now)

    application: Mapped[Application] = relationship(back_populates="interviews")


class Offer(Base):
    """An offer made on an application (from the ATS): made, then accepted or declined."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # made|accepted|declined
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobFill(Base):
    """When a job was opened and filled (from the ATS), for time-to-fill."""

    __tablename__ = "job_fill"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
