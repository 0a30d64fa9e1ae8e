"""A small world for journey tests: records made through the ATS import, the shipped journeys, a scheduler
that runs on the test's session at the times the test chooses, and the outbox filtered per candidate."""

from __future__ import annotations

import itertools
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant import mail
from assistant.audit.service import Actor
from assistant.candidates import ats
from assistant.candidates.models import Candidate
from assistant.jobs.models import BehaviourEvent, Job
from assistant.journeys import definitions, policy, scheduler
from assistant.journeys.models import JourneyAttempt, JourneyChatMessage, JourneyRun

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = definitions.load(ROOT / "journeys")
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)  # a Monday; 13:00 in Berlin
ATS = Actor(type="system", id="ats-test", channel="api")
_n = itertools.count(1)


def iso(moment: datetime) -> str:
    return moment.isoformat()


class World:
    def __init__(self, db_session):
        self.db = db_session
        self.tag = uuid.uuid4().hex[:6]

    def _import(self, kind: str, row: dict) -> None:
        result = ats.import_rows(db_session=self.db, kind=kind, rows=[row], actor=ATS)
        assert not result.errors, result.errors

    def job(self, department: str = "data", title: str = "Data Engineer") -> str:
        external_id = f"JJ-{self.tag}-{next(_n)}"
        self.db.add(Job(external_id=external_id, title=title, department=department, level="mid", city="Berlin",
                        country="Germany", workplace="hybrid"))
        self.db.flush()
        return external_id

    def candidate(self, *, treated_for: tuple[str, ...] = (), **values) -> Candidate:
        """A candidate whose external id is outside the holdout of the named journeys."""
        while True:
            external_id = f"CJ-{self.tag}-{next(_n)}"
            if not any(policy.in_holdout(journey_id=j, candidate_external_id=external_id,
                                         share=SHIPPED.get(j).journey.holdout) for j in treated_for):
                break
        row = {"external_id": external_id, "first_name": values.pop("first_name", "Ada"),
               "email": f"{external_id.lower()}@example.com", "time_zone": "Europe/Berlin", **values}
        self._import("candidates", row)
        return self.db.scalar(select(Candidate).where(Candidate.external_id == external_id))

    def application(self, candidate: Candidate, *, stage: str, changed_at: datetime, job: str | None = None,
                    applied_at: datetime | None = None) -> str:
        external_id = f"AJ-{self.tag}-{next(_n)}"
        self._import("applications", {"external_id": external_id, "candidate_external_id": candidate.external_id,
                                      "job_external_id": job or self.job(), "stage": stage,
                                      "applied_at": iso(applied_at or changed_at - timedelta(days=5)),
                                      "stage_changed_at": iso(changed_at)})
        return external_id

    def stage_change(self, application: str, stage: str, at: datetime) -> None:
        self._import("stage-changes", {"application_external_id": application, "stage": stage, "changed_at": iso(at)})

    def interview(self, application: str, at: datetime, kind: str = "video") -> str:
        external_id = f"IJ-{self.tag}-{next(_n)}"
        self._import("interviews", {"external_id": external_id, "application_external_id": application,
                                    "scheduled_at": iso(at), "kind": kind, "duration_minutes": 45,
                                    "meeting_link": "https://meet.example.com/x", "interviewer_names": ["Grace Liu"]})
        return external_id

    def event(self, candidate: Candidate, kind: str, job: str, at: datetime) -> None:
        job_id = self.db.scalar(select(Job.id).where(Job.external_id == job))
        self.db.add(BehaviourEvent(candidate_id=candidate.id, job_id=job_id, kind=kind, created_at=at))
        self.db.flush()

    @contextmanager
    def sessions(self):
        try:
            yield self.db
            self.db.commit()  # a savepoint: the test's transaction is still rolled back at the end
        except Exception:
            self.db.rollback()
            raise

    def tick(self, at: datetime, journeys=SHIPPED, worker: str = "test") -> dict[str, int]:
        return scheduler.tick(now=at, worker=worker, sessions=self.sessions, journeys=journeys, replan=True)

    def runs(self, candidate: Candidate, journey_id: str | None = None) -> list[JourneyRun]:
        query = select(JourneyRun).where(JourneyRun.candidate_id == candidate.id).order_by(JourneyRun.id)
        if journey_id:
            query = query.where(JourneyRun.journey_id == journey_id)
        self.db.expire_all()
        return list(self.db.scalars(query))

    def sent(self, candidate: Candidate) -> list[str]:
        """The journeys sent to this candidate, in the order they were sent."""
        return [run.journey_id for run in sorted((r for r in self.runs(candidate) if r.status == "sent"),
                                                 key=lambda r: (r.sent_at, r.id))]

    def mails(self, candidate: Candidate) -> list:
        """E-mails to this candidate, oldest first."""
        return list(reversed(mail.outbox(limit=100, to=candidate.email)))

    def chats(self, candidate: Candidate) -> list[JourneyChatMessage]:
        return list(self.db.scalars(select(JourneyChatMessage).where(JourneyChatMessage.candidate_id == candidate.id)
                                    .order_by(JourneyChatMessage.id)))

    def attempts(self, run: JourneyRun) -> list[tuple[str, str]]:
        return [(a.outcome, a.detail) for a in self.db.scalars(
            select(JourneyAttempt).where(JourneyAttempt.run_id == run.id).order_by(JourneyAttempt.id))]


@pytest.fixture
def world(db_session) -> World:
    return World(db_session)
