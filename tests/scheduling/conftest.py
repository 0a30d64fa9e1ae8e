"""Factories for scheduling tests: a candidate with an application, an interview request and slots."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from assistant.audit.service import candidate_actor
from assistant.candidates.models import Application, Candidate
from assistant.db import utcnow
from assistant.jobs.models import Job
from assistant.scheduling.models import InterviewRequest, InterviewSlot

_ids = itertools.count(1)


@dataclass
class Invited:
    candidate: Candidate
    application: Application
    request: InterviewRequest
    job: Job

    @property
    def actor(self):
        return candidate_actor(candidate_id=self.candidate.id)


def add_invited(db_session, *, stage: str = "phone_screen", time_zone: str = "Europe/Berlin", job: Job | None = None) -> Invited:
    """Adds a candidate whose application (stage) has an open interview request; returns them."""
    n = next(_ids)
    tag = f"{n}-{datetime.now().timestamp():.0f}"
    if job is None:
        job = Job(external_id=f"J-S{tag}", title="Data Scientist", department="Data", level="mid", city="Berlin",
                  country="Germany", workplace="hybrid")
        db_session.add(job)
        db_session.flush()
    candidate = Candidate(external_id=f"C-S{tag}", first_name="Lena", last_name="Tester", email=f"lena{tag}@example.com",
                          time_zone=time_zone)
    db_session.add(candidate)
    db_session.flush()
    application = Application(external_id=f"APP-S{tag}", candidate_id=candidate.id, job_id=job.id, stage=stage)
    db_session.add(application)
    db_session.flush()
    request = InterviewRequest(external_id=f"IR-S{tag}", application_id=application.id, kind="video",
                               notes_for_candidate="Bring questions.")
    db_session.add(request)
    db_session.flush()
    return Invited(candidate, application, request, job)


def add_slots(db_session, job: Job, hours: list[float], now: datetime | None = None) -> list[InterviewSlot]:
    """Adds slots for job starting the given numbers of hours from now; returns them."""
    now = now or utcnow()
    slots = [InterviewSlot(external_id=f"SLOT-{next(_ids)}-{now.timestamp():.0f}", job_id=job.id,
                           starts_at=(now + timedelta(hours=h)).replace(second=0, microsecond=0), duration_minutes=45, kind="video",
                           meeting_link="https://meet.example.com/x", interviewer_names=["Anna Becker"])
             for h in hours]
    db_session.add_all(slots)
    db_session.flush()
    return slots


@pytest.fixture
def invited(db_session) -> Invited:
    return add_invited(db_session)


from tests.inbox.conftest import api_account, app_db, sign_in  # noqa: E402,F401 - the inbox's sign-in fixtures
