"""The journeys log: one row per (journey, candidate, occurrence), its attempts, opt-outs and stored chat messages.

``journey_run`` is a contract with analytics (see /work/briefs/contracts.md): ``arm`` is treated|holdout,
``status`` is scheduled|sent|held_out|skipped|failed|cancelled, ``channel`` is email|chat|task|webhook.
The scheduler's own bookkeeping (``attempts``, ``locked_until``, ``done_actions``) sits beside it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class JourneyRun(Base):
    __tablename__ = "journey_run"
    __table_args__ = (UniqueConstraint("journey_id", "candidate_id", "occurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[str] = mapped_column(String(64), index=True)  # the file's id
    journey_version: Mapped[str] = mapped_column(String(64))  # content hash of the file when decided
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    occurrence_key: Mapped[str] = mapped_column(String(200))  # e.g. "interview:I-5001:2026-12-03T09:00:00+00:00"
    arm: Mapped[str] = mapped_column(String(8))  # treated|holdout
    status: Mapped[str] = mapped_column(String(16), index=True)  # scheduled|sent|held_out|skipped|failed|cancelled
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(200), default="")  # why skipped, cancelled or failed
    channel: Mapped[str] = mapped_column(String(16))  # email|chat|task|webhook
    # Scheduler bookkeeping: no worker takes the row before locked_until (a claim's lease, a retry's backoff,
    # quiet hours or the frequency cap); done_actions survive a retry so no action runs twice.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_actions: Mapped[list[str]] = mapped_column(JSON, default=list)


class JourneyAttempt(Base):
    """Every attempt at a run, with the journey's id and version (never message texts or contact data)."""

    __tablename__ = "journey_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("journey_run.id", ondelete="CASCADE"), index=True)
    journey_id: Mapped[str] = mapped_column(String(64))
    journey_version: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))  # sent|deferred|skipped|cancelled|error|failed
    detail: Mapped[str] = mapped_column(String(200), default="")  # reason or error class
    worker: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JourneyOptOut(Base):
    """A candidate's unsubscribe from one journey, or from all (journey_id "*")."""

    __tablename__ = "journey_opt_out"
    __table_args__ = (UniqueConstraint("candidate_id", "journey_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    journey_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JourneyChatMessage(Base):
    """A journey's chat message kept for the candidate's next visit (no chat was open when it was due)."""

    __tablename__ = "journey_chat_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("journey_run.id", ondelete="CASCADE"), unique=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    journey_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
