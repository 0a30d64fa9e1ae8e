"""Demo data for the bias-audit page: 200 self-identified candidates (plus 20 unknown) with recommendations,
clicks and ATS stages; women's recommendation scores are deliberately lower so the page shows a flag."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from assistant.audit.models import SelfIdentification
from assistant.candidates.models import Application, Candidate, StageHistory
from assistant.db import utcnow
from assistant.jobs.models import BehaviourEvent, Job, RecommendationLog

SEXES = ("female", "male")
RACES = ("white", "black_or_african_american", "asian", "hispanic_or_latino")


def load(*, db_session: Session) -> int:
    """Writes the demo candidates and returns how many."""
    tag = uuid.uuid4().hex[:6]
    now = utcnow()
    job = Job(external_id=f"DA-{tag}-audit", title="Demo audit role", department="Engineering", level="mid",
              country="Germany", status="closed")
    db_session.add(job)
    db_session.flush()
    people = [(s, r) for s, r in itertools.product(SEXES, RACES) for _ in range(25)] + [(None, None)] * 20
    for n, (sex, race) in enumerate(people):
        at = now - timedelta(days=1 + n % 20, hours=n % 7)
        candidate = Candidate(external_id=f"DA-{tag}-{n}", first_name="Demo", last_name="Audit",
                              email=f"demo-audit-{tag}-{n}@example.invalid")
        db_session.add(candidate)
        db_session.flush()
        if sex:
            db_session.add(SelfIdentification(candidate_id=candidate.id, sex=sex, race_ethnicity=race))
        score = 0.7 if n % 2 == 0 else 0.5
        if sex == "female" and n % 2 == 0 and n % 5 < 3:
            score = 0.45  # the deliberate skew
        db_session.add(RecommendationLog(candidate_id=candidate.id, job_id=job.id, rank=1, score=score,
                                         explanation="demo", created_at=at))
        if n % 3:
            db_session.add(BehaviourEvent(candidate_id=candidate.id, job_id=job.id, kind="job_viewed",
                                          created_at=at + timedelta(minutes=5)))
        application = Application(external_id=f"DA-{tag}-app-{n}", candidate_id=candidate.id, job_id=job.id,
                                  stage="applied", applied_at=at, stage_changed_at=at)
        db_session.add(application)
        db_session.flush()
        db_session.add(StageHistory(application_id=application.id, stage="applied", changed_at=at))
        if n % 4 != 3:
            db_session.add(StageHistory(application_id=application.id, stage="under_review", changed_at=at + timedelta(days=2)))
    db_session.flush()
    return len(people)
