"""Audit log: every read and write of personal data (who, what, when, channel). Values are never stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # candidate|recruiter|ats|system
    actor_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))  # read|update|create|withdraw|export|delete
    entity: Mapped[str] = mapped_column(String(32))  # candidate|application|interview|ticket
    entity_id: Mapped[str | None] = mapped_column(String(64))
    candidate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    channel: Mapped[str] = mapped_column(String(32))  # chat|inbox|ats_api|cli
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # names of fields touched, never values
    # Staff's own words on an oversight action (why an AI feature was switched), masked; never personal data values.
    note: Mapped[str | None] = mapped_column(String(200))


class SelfIdentification(Base):
    """A candidate's voluntary self-identification, kept apart from the record.

    Read only by the bias audit (assistant.audit.self_id); never by search, ranking, journeys or the chat.
    """

    __tablename__ = "self_identification"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), unique=True)
    sex: Mapped[str] = mapped_column(String(32))  # see assistant.audit.self_id.SEXES
    race_ethnicity: Mapped[str] = mapped_column(String(48))  # see assistant.audit.self_id.RACES
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
