"""Answers given from the knowledge base and the candidate's thumbs up/down on each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class AnswerLog(Base):
    __tablename__ = "answer_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, sent with the answer
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    question: Mapped[str] = mapped_column(String(1000))
    decision: Mapped[str] = mapped_column(String(16))  # answer|clarify|decline
    doc_path: Mapped[str | None] = mapped_column(String(300))
    section: Mapped[str | None] = mapped_column(String(300))
    score: Mapped[float | None] = mapped_column(Float)
    index_version: Mapped[str | None] = mapped_column(String(64))
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
