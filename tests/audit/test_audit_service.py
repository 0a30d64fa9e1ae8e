"""Audit entries record who, what, when and the channel, with field names only."""

from __future__ import annotations

from assistant.audit import service as audit_service
from assistant.db import utcnow


def test_record_keeps_sorted_unique_field_names_and_lists_per_candidate(db_session):
    actor = audit_service.candidate_actor(candidate_id=42, channel="chat:socketio")
    before = utcnow()
    audit_service.record(db_session=db_session, actor=actor, action="update", entity="candidate", entity_id="C-42",
                         candidate_id=42, fields=["phone", "email", "phone"])
    audit_service.record(db_session=db_session, actor=audit_service.ATS_API, action="create", entity="application",
                         entity_id="APP-1", candidate_id=43)
    [entry] = audit_service.entries_for_candidate(db_session=db_session, candidate_id=42)
    assert (entry.actor_type, entry.actor_id, entry.channel, entry.action, entry.fields) == (
        "candidate", "42", "chat:socketio", "update", ["email", "phone"])
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=before.tzinfo)
    assert at >= before.replace(microsecond=0)
