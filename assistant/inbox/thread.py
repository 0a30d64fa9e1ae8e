"""What a recruiter sees on a ticket: the conversation thread (from Rasa's tracker) and the candidate record."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from assistant import rasa_client
from assistant.audit import service as audit_service
from assistant.audit.service import Actor
from assistant.candidates.models import Candidate
from assistant.inbox.models import StaffUser, Ticket
from assistant.db import as_utc

RECORD_FIELDS = ["first_name", "last_name", "email", "phone", "location", "time_zone", "applications"]


@dataclass
class Entry:
    who: str  # candidate|assistant|recruiter|note|system
    text: str
    at: datetime
    name: str = ""
    pending: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "at": self.at.isoformat()}


def _at(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp or 0, tz=timezone.utc)


def build_thread(*, ticket: Ticket) -> tuple[list[Entry], bool]:
    """Returns the conversation with notes and system lines, oldest first, and whether it is live from Rasa.

    Candidate messages sent while the conversation is paused are in Rasa's tracker; when Rasa cannot be
    reached, the transcript saved with the ticket and the inbox's own records are shown instead.
    """
    try:
        events = rasa_client.get_tracker(conversation_id=ticket.conversation_id).get("events", [])
        live = True
    except rasa_client.RasaUnavailable:
        events, live = [], False
    entries: list[Entry] = []
    if live:
        for event in events:
            if event.get("event") not in ("user", "bot") or not event.get("text"):
                continue
            meta = event.get("metadata") or {}
            if event["event"] == "user":
                entries.append(Entry("candidate", event["text"], _at(event.get("timestamp"))))
            elif meta.get("from") == "recruiter":
                entries.append(Entry("recruiter", event["text"], _at(event.get("timestamp")), name=meta.get("name", "")))
            else:
                entries.append(Entry("assistant", event["text"], _at(event.get("timestamp"))))
    else:
        entries += [Entry("candidate" if line["who"] == "candidate" else "assistant", line["text"], _at(line.get("at")))
                    for line in ticket.transcript]
    for message in ticket.messages:
        shown = message.author_type in ("note", "system") or message.delivery == "pending" or not live
        if shown:
            entries.append(Entry(message.author_type, message.body, as_utc(message.created_at),
                                 name=(message.extra or {}).get("name", ""), pending=message.delivery == "pending"))
    entries.append(Entry("system", f"Escalated: {ticket.reason.replace('_', ' ')}", as_utc(ticket.created_at)))
    entries.sort(key=lambda entry: entry.at)
    return entries, live


def read_candidate_record(*, db_session: Session, ticket: Ticket, reader: StaffUser) -> dict[str, Any] | None:
    """Returns the verified candidate's record for a recruiter (the read is audited), or None if unverified."""
    if ticket.candidate_id is None:
        return None
    candidate = db_session.get(Candidate, ticket.candidate_id)
    if candidate is None:
        return None
    audit_service.record(db_session=db_session, actor=Actor(type="recruiter", id=str(reader.id), channel="inbox"),
                         action="read", entity="candidate", entity_id=str(candidate.id), candidate_id=candidate.id,
                         fields=RECORD_FIELDS)
    return {
        "id": candidate.id, "name": candidate.full_name, "email": candidate.email, "phone": candidate.phone,
        "location": candidate.location, "time_zone": candidate.time_zone,
        "applications": [
            {"job": getattr(app.job, "title", str(app.job_id)), "stage": app.stage,
             "applied_at": as_utc(app.applied_at).date().isoformat()}
            for app in candidate.applications
        ],
    }
