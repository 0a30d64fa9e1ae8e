"""Candidate feedback: the end-of-chat rating and the NPS answer after a stage outcome."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class ChatRating(Base):
    """The one-question rating of a chat (1-5), or its skip (rating None); at most one per conversation.

    After a rating the chat offers once to add a comment, masked like the NPS comment ("" when none)."""

    __tablename__ = "chat_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), unique=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class NpsResponse(Base):
    """A candidate's answer (0-10) to "would you recommend applying here?" after a stage outcome."""

    __tablename__ = "nps_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    survey_key: Mapped[str] = mapped_column(String(96), unique=True)  # one answer per e-mailed survey
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")  # masked like the gap report
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
