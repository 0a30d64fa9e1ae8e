"""Job recommendations through the real stack: Rasa server (trained model), action server and API."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from assistant.candidates.models import Candidate
from assistant.db import session_scope
from assistant.identity import service as identity_service
from assistant.jobs.models import BehaviourEvent, RecommendationLog, VisitorLink

pytestmark = pytest.mark.stack


def _cards(replies: list[dict]) -> dict:
    payloads = [(r.get("custom") or {}).get("data") or {} for r in replies]  # socket.io-safe shape: {"data": ...}
    custom = [p for p in payloads if p.get("type") == "job_cards"]
    assert custom, f"no job cards in {replies}"
    return custom[-1]


def _texts(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def _visitor() -> str:
    from assistant.events import visitors

    return visitors.issue()  # as the career site gets it from POST /api/visitor


def test_request_shows_cards_then_more_then_not_interested(stack):
    sender, meta = f"jobs-{uuid.uuid4().hex[:8]}", {"visitor_id": _visitor()}
    first = _cards(stack.chat(sender, "remote python jobs", meta))
    assert first["jobs"] and all(job["workplace"] == "remote" for job in first["jobs"])
    assert all(job["why"] and job["url"].startswith("https://") and job["salary"] for job in first["jobs"])
    assert first["more"] is True

    more = _cards(stack.chat(sender, "show more", meta))
    assert more["jobs"] and not {j["id"] for j in more["jobs"]} & {j["id"] for j in first["jobs"]}

    dismissed = first["jobs"][0]["id"]
    reply = stack.chat(sender, f'/not_interested{{"job_id":"{dismissed}"}}', meta)
    assert "won't suggest" in _texts(reply)
    with session_scope() as db:
        stored = db.scalars(select(BehaviourEvent).where(BehaviourEvent.visitor_id == meta["visitor_id"],
                                                         BehaviourEvent.kind == "not_interested")).all()
        assert len(stored) == 1
        logged = db.scalars(select(RecommendationLog).where(RecommendationLog.conversation_id == sender)).all()
        assert len(logged) == len(first["jobs"]) + len(more["jobs"])
    again = _cards(stack.chat(f"{sender}-again", "remote python jobs", meta))
    assert dismissed not in {job["id"] for job in again["jobs"]}


def test_anonymous_visitor_answers_the_short_form(stack):
    sender, meta = f"jobs-{uuid.uuid4().hex[:8]}", {"visitor_id": _visitor()}
    asked = stack.chat(sender, "any jobs for me?", meta)
    assert "What kind of role" in _texts(asked)
    assert "skills" in _texts(stack.chat(sender, "nurse", meta))
    assert "Where would you like to work" in _texts(stack.chat(sender, "skip", meta))
    cards = _cards(stack.chat(sender, "Berlin", meta))
    assert cards["jobs"] and all(job["location"].startswith("Berlin") for job in cards["jobs"])
    assert "Nurse" in cards["jobs"][0]["title"]


def test_verified_candidate_gets_profile_jobs_and_the_visitor_is_merged(stack):
    visitor = _visitor()
    with session_scope() as db:
        candidate = Candidate(external_id=f"C-JOBS-{uuid.uuid4().hex[:6]}", first_name="Mara",
                              email=f"mara.{uuid.uuid4().hex[:6]}@example.com", skills=["Python", "SQL", "Airflow"],
                              desired_roles=["Data Engineer"], preferred_locations=["Berlin"], work_preference="any")
        db.add(candidate)
        db.flush()
        candidate_id, external_id = candidate.id, candidate.external_id
    meta = {"visitor_id": visitor, "candidate_token": identity_service.issue_token(candidate_external_id=external_id)}
    cards = _cards(stack.chat(f"jobs-{uuid.uuid4().hex[:8]}", "any jobs for me?", meta))
    assert any("Data Engineer" in job["title"] for job in cards["jobs"])
    assert all(job["location"].startswith("Berlin") or job["workplace"] == "remote" for job in cards["jobs"])
    assert any("Python" in job["why"] for job in cards["jobs"])
    with session_scope() as db:
        assert db.get(VisitorLink, visitor).candidate_id == candidate_id


def test_similar_jobs_follow_what_the_visitor_viewed(stack):
    import httpx

    visitor = _visitor()
    posted = httpx.post(f"{stack.api_url}/api/events", json={"visitor_id": visitor, "events": [
        {"kind": "job_viewed", "job_id": "FH-1099", "dwell_seconds": 95}]}, timeout=30)  # Registered Nurse, Berlin
    assert posted.status_code == 201
    cards = _cards(stack.chat(f"jobs-{uuid.uuid4().hex[:8]}", "something like the role I looked at", {"visitor_id": visitor}))
    assert "FH-1099" not in {job["id"] for job in cards["jobs"]}
    assert any("Like the Registered Nurse role you viewed" in job["why"] for job in cards["jobs"])
