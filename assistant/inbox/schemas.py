"""Pydantic shapes of the inbox JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.inbox.service import MAX_REPLY_CHARS


class TicketSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int  # the ticket number staff and candidates use; the chat's conversation id is not shown to staff
    reason: str
    priority: str
    status: str
    assignee_id: int | None
    candidate_id: int | None
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None
    overdue: bool = False


class ThreadEntry(BaseModel):
    who: str
    text: str
    at: datetime
    name: str = ""
    pending: bool = False


class TicketDetail(TicketSummary):
    trigger_message: str
    thread: list[ThreadEntry]
    thread_live: bool = Field(description="False when Rasa was unreachable and the saved transcript is shown")
    candidate: dict[str, Any] | None = Field(description="The verified candidate's record (the read is audited)")


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)


class CloseIn(BaseModel):
    message: str = Field("", max_length=MAX_REPLY_CHARS, description="Sent to the candidate; default text on hand-back")


class PriorityIn(BaseModel):
    priority: Literal["urgent", "high", "normal"]


class AssignIn(BaseModel):
    assignee_id: int


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author_type: str
    body: str
    delivery: str
    created_at: datetime
