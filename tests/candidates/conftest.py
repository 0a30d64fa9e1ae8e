"""Factories for candidate-record tests (jobs are created here: the jobs catalogue is another concern)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from assistant.audit.service import candidate_actor
from assistant.candidates.models import Application, Candidate, Interview, StageHistory
from assistant.db import utcnow
from assistant.jobs.models import Job

_ids = itertools.count(1)


@pytest.fixture
def make_job(db_session):
    def make(title: str = "Data Engineer", external_id: str | None = None) -> Job:
        job = Job(external_id=external_id or f"J-{next(_ids)}", title=title, department="Engineering", level="mid",
                  city="Berlin", country="Germany", workplace="hybrid")
        db_session.add(job)
        db_session.flush()
        return job

    return make


@pytest.fixture
def make_candidate(db_session):
    def make(first_name: str = "Ada", email: str | None = None, **values) -> Candidate:
        n = next(_ids)
        candidate = Candidate(external_id=values.pop("external_id", f"C-{n}"), first_name=first_name, last_name="Tester",
                              email=email or f"cand{n}@example.com", **values)
        db_session.add(candidate)
        db_session.flush()
        return candidate

    return make


@pytest.fixture
def make_application(db_session, make_job):
    def make(candidate: Candidate, *, title: str = "Data Engineer", stage: str = "under_review", days_in_stage: int = 2,
             external_id: str | None = None) -> Application:
        changed = utcnow() - timedelta(days=days_in_stage, hours=1)
        application = Application(external_id=external_id or f"APP-{next(_ids)}", candidate_id=candidate.id,
                                  job_id=make_job(title).id, stage=stage, applied_at=changed - timedelta(days=3),
                                  stage_changed_at=changed)
        db_session.add(application)
        db_session.flush()
        db_session.add(StageHistory(application_id=application.id, stage=stage, changed_at=changed))
        db_session.flush()
        db_session.refresh(candidate)
        return application

    return make


@pytest.fixture
def make_interview(db_session):
    def make(application: Application, *, in_hours: float = 48, kind: str = "video", **values) -> Interview:
        interview = Interview(external_id=f"INT-{next(_ids)}", application_id=application.id,
                              scheduled_at=utcnow() + timedelta(hours=in_hours), kind=kind, **values)
        db_session.add(interview)
        db_session.flush()
        db_session.refresh(application)
        return interview

    return make


@pytest.fixture
def actor_for():
    return lambda candidate: candidate_actor(candidate_id=candidate.id, channel="chat:test")
