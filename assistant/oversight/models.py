"""AI feature switches (human oversight): a missing row means the feature is on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.db import Base, utcnow


class FeatureSwitch(Base):
    __tablename__ = "feature_switch"

    feature: Mapped[str] = mapped_column(String(32), primary_key=True)  # recommendations|journeys|knowledge_answers
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str] = mapped_column(String(128), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
