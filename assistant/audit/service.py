"""The audit log of personal data: who read or wrote what, when, over which channel (field names only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.audit.models import AuditEntry
from assistant.knowledge.gaps import redact


@dataclass(frozen=True)
class Actor:
    """Who acts: a candidate (id), the ATS, a recruiter or the system, over a channel (chat, ats_api, cli)."""

    type: str
    id: str
    channel: str


def candidate_actor(*, candidate_id: int, channel: str = "chat") -> Actor:
    """Returns the actor for a verified candidate in a conversation."""
    return Actor(type="candidate", id=str(candidate_id), channel=channel)


ATS_API = Actor(type="ats", id="ats", channel="ats_api")
CLI = Actor(type="system", id="cli", channel="cli")


def record(
    *, db_session: Session, actor: Actor, action: str, entity: str, entity_id: str | None = None,
    candidate_id: int | None = None, fields: Iterable[str] = (), note: str | None = None,
) -> AuditEntry:
    """Returns the new audit entry for one read or write of personal data (values are never stored).

    ``note`` is staff's reason for an oversight action, kept masked (e-mail addresses, long numbers)."""
    entry = AuditEntry(
        actor_type=actor.type, actor_id=actor.id, action=action, entity=entity, entity_id=entity_id,
        candidate_id=candidate_id, channel=actor.channel, fields=sorted(set(fields)),
        note=redact(note.strip())[:200] if note and note.strip() else None,
    )
    db_session.add(entry)
    db_session.flush()
    return entry


def entries_for_candidate(*, db_session: Session, candidate_id: int) -> list[AuditEntry]:
    """Returns the audit entries about one candidate, oldest first."""
    return list(db_session.scalars(
        select(AuditEntry).where(AuditEntry.candidate_id == candidate_id).order_by(AuditEntry.at, AuditEntry.id)
    ))
