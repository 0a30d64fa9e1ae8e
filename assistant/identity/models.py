"""One-time codes and per-conversation verification."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class OneTimeCode(Base):
    __tablename__ = "one_time_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    email: Mapped[str] = mapped_column(String(254))
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConversationIdentity(Base):
    """Who a conversation is verified as, until expires_at (never forever), for the chat window whose key
    hashes to client_key_hash, while it keeps writing (last_seen_at)."""

    __tablename__ = "conversation_identity"

    conversation_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # token|otp
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client_key_hash: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RateHit(Base):
    """One counted request under an abuse limit (``assistant.abuse.limits``), e.g. a one-time code asked
    from one client address; kept for a day, so limits hold across processes and replicas."""

    __tablename__ = "rate_hit"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), index=True)  # "<limit name>:<subject>"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
