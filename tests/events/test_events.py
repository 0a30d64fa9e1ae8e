"""Behaviour events: the API's validation, subjects and limits; merging a visitor into a verified candidate."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.deps import get_db
from api.main import app
from api.routes import events as events_route
from assistant.audit.models import AuditEntry
from assistant.candidates.models import Candidate
from assistant.events import service as events_service
from assistant.events import visitors
from assistant.events.limits import RateLimiter
from assistant.events.schemas import EventIn
from assistant.identity import service as identity_service
from assistant.jobs.models import BehaviourEvent, Job, VisitorLink

VISITOR = visitors.issue()  # the career site gets its visitor id from POST /api/visitor


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_db] = lambda: db_session
    yield TestClient(app)
    app.dependency_overrides.pop(get_db, None)


@pytest.fixture
def job(db_session):
    job = Job(external_id="EV-1", title="Data Engineer", department="data", level="mid", city="Berlin", workplace="hybrid")
    db_session.add(job)
    db_session.flush()
    return job


@pytest.fixture
def candidate(db_session):
    candidate = Candidate(external_id="C-EV1", first_name="Noor", email="noor.ev@example.com")
    db_session.add(candidate)
    db_session.flush()
    return candidate


def _events(db_session, **where):
    return list(db_session.scalars(select(BehaviourEvent).filter_by(**where)))


def test_visitor_events_are_stored(client, db_session, job):
    body = {"visitor_id": VISITOR, "events": [{"kind": "job_viewed", "job_id": "EV-1", "dwell_seconds": 42.5},
                                              {"kind": "apply_started", "job_id": "EV-1"}]}
    response = client.post("/api/events", json=body)
    assert response.status_code == 201 and response.json() == {"accepted": 2, "subject": "visitor"}
    stored = _events(db_session, visitor_id=VISITOR)
    assert sorted(e.kind for e in stored) == ["apply_started", "job_viewed"] and all(e.candidate_id is None for e in stored)


@pytest.mark.parametrize("body, fragment", [
    ({"visitor_id": VISITOR, "events": [{"kind": "clicked_everything", "job_id": "EV-1"}]}, "kind"),
    ({"visitor_id": VISITOR, "events": [{"kind": "apply_started", "job_id": "EV-1", "dwell_seconds": 3}]}, "dwell_seconds"),
    ({"visitor_id": VISITOR, "events": [{"kind": "job_viewed", "job_id": "EV-1", "dwell_seconds": -1}]}, "dwell_seconds"),
    ({"visitor_id": "x", "events": [{"kind": "job_viewed", "job_id": "EV-1"}]}, "visitor_id"),
    ({"visitor_id": VISITOR, "events": []}, "events"),
    ({"visitor_id": VISITOR, "events": [{"kind": "job_viewed", "job_id": "NOPE-9"}]}, "unknown job"),
    ({"events": [{"kind": "job_viewed", "job_id": "EV-1"}]}, "visitor_id"),
])
def test_bad_events_are_refused_with_a_reason_and_nothing_stored(client, db_session, job, body, fragment):
    response = client.post("/api/events", json=body)
    assert response.status_code == 422 and fragment in response.text
    assert _events(db_session, job_id=job.id) == []


def test_candidate_token_records_for_the_candidate_and_merges_the_visitor(client, db_session, job, candidate):
    events_service.record_events(db_session=db_session, visitor_id=VISITOR, events=[EventIn(kind="job_viewed", job_id="EV-1")])
    token = identity_service.issue_token(candidate_external_id=candidate.external_id)
    response = client.post("/api/events", headers={"Authorization": f"Bearer {token}"},
                           json={"visitor_id": VISITOR, "events": [{"kind": "alert_clicked", "job_id": "EV-1"}]})
    assert response.status_code == 201 and response.json()["subject"] == "candidate"
    assert {e.kind for e in _events(db_session, candidate_id=candidate.id)} == {"job_viewed", "alert_clicked"}
    assert db_session.get(VisitorLink, VISITOR).candidate_id == candidate.id
    audited = db_session.scalars(select(AuditEntry).where(AuditEntry.candidate_id == candidate.id)).all()
    assert {(a.action, a.entity) for a in audited} >= {("create", "behaviour_event"), ("update", "behaviour_event")}


def test_a_bad_token_is_refused_not_downgraded(client, db_session, job):
    response = client.post("/api/events", json={"visitor_id": VISITOR, "candidate_token": "forged.token.value",
                                                "events": [{"kind": "job_viewed", "job_id": "EV-1"}]})
    assert response.status_code == 401 and _events(db_session, job_id=job.id) == []


def test_rate_and_size_limits(client, job, monkeypatch):
    monkeypatch.setattr(events_route, "subject_limiter", RateLimiter(limit=3))
    body = {"visitor_id": VISITOR, "events": [{"kind": "job_viewed", "job_id": "EV-1"}] * 2}
    assert client.post("/api/events", json=body).status_code == 201
    limited = client.post("/api/events", json=body)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    huge = client.post("/api/events", content=b"{" + b" " * 40_000 + b"}", headers={"Content-Type": "application/json"})
    assert huge.status_code == 413


def test_merge_keeps_a_visitor_with_its_first_candidate(db_session, job, candidate):
    other = Candidate(external_id="C-EV2", first_name="Sam", email="sam.ev@example.com")
    db_session.add(other)
    db_session.flush()
    assert events_service.merge_visitor(db_session=db_session, visitor_id=VISITOR, candidate_id=candidate.id) is not None
    assert events_service.merge_visitor(db_session=db_session, visitor_id=VISITOR, candidate_id=other.id) is None
    events_service.record_events(db_session=db_session, visitor_id=VISITOR, events=[EventIn(kind="not_interested", job_id="EV-1")])
    # a linked visitor's later events belong to the candidate; an anonymous chat with that visitor id sees none of them
    assert events_service.excluded_job_ids(db_session=db_session, candidate_id=candidate.id) == {job.id}
    assert events_service.recent_events(db_session=db_session, visitor_id=VISITOR, kinds=("not_interested",)) == []


def test_rate_limiter_window():
    limiter = RateLimiter(limit=2, window=10)
    assert limiter.allow("k", now=0) and limiter.allow("k", now=1) and not limiter.allow("k", now=2)
    assert limiter.allow("k", now=10.5)


def test_the_server_issues_signed_visitor_ids_and_refuses_any_other(client, db_session, job, candidate):
    issued = client.post("/api/visitor")
    assert issued.status_code == 201
    visitor = issued.json()["visitor_id"]
    assert visitors.is_signed(visitor) and visitor != client.post("/api/visitor").json()["visitor_id"]
    event = [{"kind": "job_viewed", "job_id": "EV-1"}]
    assert client.post("/api/events", json={"visitor_id": visitor, "events": event}).status_code == 201
    random_part, signature = visitor.split("-")[1:]
    forged = [
        "visitor-0001abcd",  # an id the browser made up (as the career site did before)
        f"v1-{random_part[::-1]}-{signature}",  # someone else's id with this signature
        f"v1-{random_part}-{'0' * 24}",  # a made-up signature
    ]
    for visitor_id in forged:
        response = client.post("/api/events", json={"visitor_id": visitor_id, "events": event})
        assert response.status_code == 422 and "POST /api/visitor" in response.text, visitor_id
        assert _events(db_session, visitor_id=visitor_id) == []
    # Nor can a verified candidate merge a made-up visitor id (someone else's browsing) into their record.
    token = identity_service.issue_token(candidate_external_id=candidate.external_id)
    response = client.post("/api/events", json={"visitor_id": forged[0], "candidate_token": token, "events": event})
    assert response.status_code == 422 and db_session.get(VisitorLink, forged[0]) is None
