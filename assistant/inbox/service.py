"""Escalation tickets: lookups used across the assistant (full inbox logic lives beside it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.inbox.models import Ticket


def get_open_by_conversation(*, db_session: Session, conversation_id: str) -> Ticket | None:
    """Returns the open ticket holding this conversation, or None."""
    return db_session.scalar(select(Ticket).where(Ticket.open_conversation_id == conversation_id))
