"""Signed visitor ids through the running API and chat (issue #13, item 6): the events API refuses a visitor id
the server did not issue, and the chat neither recommends from nor merges into a candidate a made-up one."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlalchemy import select

from assistant.candidates.models import Candidate
from assistant.db import session_scope
from assistant.events import service as events_service
from assistant.events import visitors
from assistant.events.schemas import EventIn
from assistant.identity import service as identity_service
from assistant.jobs.models import BehaviourEvent, VisitorLink

EVENT = {"kind": "job_viewed", "job_id": "FH-1099", "dwell_seconds": 95}  # Registered Nurse, Berlin


def test_the_events_api_takes_only_visitor_ids_it_issued(stack):
    issued = httpx.post(f"{stack.api_url}/api/visitor", timeout=30)
    assert issued.status_code == 201
    visitor = issued.json()["visitor_id"]
    assert httpx.post(f"{stack.api_url}/api/events", json={"visitor_id": visitor, "events": [EVENT]},
                      timeout=30).status_code == 201
    made_up = f"visitor-{uuid.uuid4().hex[:12]}"
    refused = httpx.post(f"{stack.api_url}/api/events", json={"visitor_id": made_up, "events": [EVENT]}, timeout=30)
    assert refused.status_code == 422 and "POST /api/visitor" in refused.text
    with session_scope() as db:
        assert db.scalars(select(BehaviourEvent.id).where(BehaviourEvent.visitor_id == made_up)).all() == []
        assert len(db.scalars(select(BehaviourEvent.id).where(BehaviourEvent.visitor_id == visitor)).all()) == 1


def _viewed_role_mentioned(replies: list[dict]) -> bool:
    return "Registered Nurse role you viewed" in json.dumps(replies)


def test_the_chat_ignores_a_made_up_visitor_id(stack):
    someone_elses = f"visitor-{uuid.uuid4().hex[:12]}"  # e.g. an id seen in someone's browser
    issued = visitors.issue()
    with session_scope() as db:
        for visitor in (someone_elses, issued):  # the same browsing under a made-up and an issued id
            events_service.record_events(db_session=db, visitor_id=visitor, events=[EventIn(**EVENT)])
        candidate = Candidate(external_id=f"C-VIS-{uuid.uuid4().hex[:6]}", first_name="Ines",
                              email=f"ines.{uuid.uuid4().hex[:6]}@example.com", desired_roles=["Data Engineer"])
        db.add(candidate)
        db.flush()
        external_id = candidate.external_id
    ask = "something like the role I looked at"
    assert _viewed_role_mentioned(stack.chat(f"vis-{uuid.uuid4().hex[:8]}", ask, {"visitor_id": issued}))  # control
    assert not _viewed_role_mentioned(stack.chat(f"vis-{uuid.uuid4().hex[:8]}", ask, {"visitor_id": someone_elses}))
    meta = {"visitor_id": someone_elses, "candidate_token": identity_service.issue_token(candidate_external_id=external_id)}
    stack.chat(f"vis-{uuid.uuid4().hex[:8]}", "any jobs for me?", meta)
    with session_scope() as db:
        assert db.get(VisitorLink, someone_elses) is None  # their browsing did not become this candidate's
