"""Recruiter accounts and escalation tickets with their threads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assistant.db import Base, utcnow


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # recruiter|content_owner|admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # older sessions end


class Ticket(Base):
    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(128), index=True)
    # Equal to conversation_id while the ticket is open, NULL after: a unique index makes a second open
    # ticket for the same conversation impossible, even under retries (NULLs never collide).
    open_conversation_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    reason: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))  # urgent|high|normal
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open|claimed|resolved
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidate.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    trigger_message: Mapped[str] = mapped_column(Text, default="")
    transcript: Mapped[list[dict]] = mapped_column(JSON, default=list)
    candidate_email: Mapped[str | None] = mapped_column(String(254))  # for replies after they leave
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When recruiters were told of the ticket (assistant.inbox.notify batches them); NULL: waiting for a digest.
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)

    messages: Mapped[list["TicketMessage"]] = relationship(order_by="TicketMessage.created_at")
    assignee: Mapped[StaffUser | None] = relationship()


class TicketMessage(Base):
    __tablename__ = "ticket_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    author_type: Mapped[str] = mapped_column(String(16))  # recruiter|note|system
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(16), default="chat")  # chat|email|internal|pending
    extra: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignInFailure(Base):
    """One failed inbox sign-in (see assistant.inbox.signin_throttle); kept for a day."""

    __tablename__ = "signin_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # as typed, whether or not an account exists
    client: Mapped[str] = mapped_column(String(64), index=True)  # the client address the API saw
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
