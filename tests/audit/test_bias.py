"""Bias audit: rates and impact ratios per category on data with known rates; a skewed recommender is flagged;
self-identification never changes what the recommender shows.

The audit window is taken when each test starts (not at import): a window fixed at collection time ended a
minute later, so after a slow test earlier in the session (a stack test takes a minute) the rows written
"now" fell outside it and every category was empty.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from assistant.audit import bias, self_id
from assistant.audit.service import ATS_API
from assistant.candidates.models import Application, Candidate, StageHistory
from assistant.db import utcnow
from assistant.jobs.models import Job, RecommendationLog
from assistant.jobs.recommend import Recommendation, log_recommendations, recommend_jobs
from tests.jobs.conftest import catalogue  # noqa: F401 - the demo catalogue and its index

_ids = itertools.count(1)


@pytest.fixture
def window():
    """The audit period around this test's own rows: (now, start, end) taken when the test starts."""
    now = utcnow()
    return now, now - timedelta(days=30), now + timedelta(hours=1)


@pytest.fixture
def people(db_session):
    """50 women and 50 men (half white, half Black), one nonbinary person (under 2%), 25 unknown, 5 declined."""
    def make(sex: str | None, race: str | None = None) -> Candidate:
        n = next(_ids)
        candidate = Candidate(external_id=f"C-BIAS-{n}", first_name="P", email=f"bias{n}@example.com")
        db_session.add(candidate)
        db_session.flush()
        if sex is not None:
            self_id.record(db_session=db_session, candidate_id=candidate.id, sex=sex, race_ethnicity=race, actor=ATS_API)
        return candidate

    groups = {"female": [], "male": [], "nonbinary": [], "unknown": []}
    for sex in ("female", "male"):
        for i in range(50):
            groups[sex].append(make(sex, "white" if i % 2 == 0 else "black_or_african_american"))
    groups["nonbinary"].append(make("nonbinary", "asian"))
    groups["unknown"] = [make(None) for _ in range(25)] + [make("declined", "declined") for _ in range(5)]
    return groups


@pytest.fixture
def job(db_session):
    job = Job(external_id="J-BIAS", title="Analyst", department="Finance", level="mid")
    db_session.add(job)
    db_session.flush()
    return job


def skewed_recommender(candidate: Candidate, sex: str, index: int, job: Job) -> list[Recommendation]:
    """Deliberately unfair: only 10 of 50 women get a high score, every man does (the unknown sit at the median)."""
    high = sex in ("male", "nonbinary") or (sex == "female" and index < 10)
    return [Recommendation(job=job, score=0.6 if sex == "unknown" else 0.8 if high else 0.4, why="test")]


def fair_recommender(candidate: Candidate, sex: str, index: int, job: Job) -> list[Recommendation]:
    return [Recommendation(job=job, score=0.6 if sex == "unknown" else 0.8 if (index // 2) % 2 == 0 else 0.4, why="test")]


def _feed(db_session, people, job, recommender):
    for sex, members in people.items():
        for index, candidate in enumerate(members):
            log_recommendations(db_session=db_session, items=recommender(candidate, sex, index, job), conversation_id=None,
                                candidate_id=candidate.id, visitor_id=None, query="")


def _output(report: dict, name: str) -> dict:
    return next(o for o in report["outputs"] if o["output"] == name)


def test_skewed_recommender_is_flagged_with_the_true_rates(db_session, people, job, window):
    _now, start, end = window
    _feed(db_session, people, job, skewed_recommender)
    recommended = _output(bias.report(db_session=db_session, start=start, end=end), "recommended")
    sex = {row["category"]: row for row in recommended["sex"]}
    assert (sex["male"]["count"], sex["male"]["selection_rate"], sex["male"]["impact_ratio"]) == (50, 1.0, 1.0)
    assert (sex["female"]["count"], sex["female"]["selected"], sex["female"]["selection_rate"]) == (50, 10, 0.2)
    assert sex["female"]["impact_ratio"] == 0.2 and sex["female"]["flagged"] is True
    assert sex["nonbinary"]["excludable"] is True and sex["nonbinary"]["flagged"] is False  # 1 of 101 < 2%
    assert recommended["unknown"] == 30 and recommended["total"] == 131
    assert "sex:female" in recommended["flagged"]
    both = {row["category"]: row for row in recommended["intersectional"]}
    assert both["female × white"]["count"] == 25 and both["female × white"]["selected"] == 5
    assert both["female × black_or_african_american"]["flagged"] is True
    race = {row["category"]: row for row in recommended["race_ethnicity"]}
    assert race["white"]["selection_rate"] == race["black_or_african_american"]["selection_rate"] == 0.6
    assert race["asian"]["excludable"] is True


def test_fair_recommender_is_not_flagged(db_session, people, job, window):
    _now, start, end = window
    _feed(db_session, people, job, fair_recommender)
    recommended = _output(bias.report(db_session=db_session, start=start, end=end), "recommended")
    assert recommended["flagged"] == []
    assert {row["category"]: row["impact_ratio"] for row in recommended["sex"]}["female"] == 1.0


def test_employer_stages_are_audited_and_labelled_as_the_employers_process(db_session, people, job, window):
    now, start, end = window
    for sex in ("female", "male"):
        for index, candidate in enumerate(people[sex]):
            application = Application(external_id=f"A-BIAS-{candidate.id}", candidate_id=candidate.id, job_id=job.id,
                                      stage="applied", applied_at=now - timedelta(days=5), stage_changed_at=now)
            db_session.add(application)
            db_session.flush()
            db_session.add(StageHistory(application_id=application.id, stage="applied", changed_at=now - timedelta(days=5)))
            if index < (40 if sex == "male" else 20):
                db_session.add(StageHistory(application_id=application.id, stage="under_review", changed_at=now))
    db_session.flush()
    stage = _output(bias.report(db_session=db_session, start=start, end=end), "ats_stage:under_review")
    assert stage["source"] == "employer" and "employer's process" in stage["label"]
    rows = {row["category"]: row for row in stage["sex"]}
    assert (rows["male"]["selection_rate"], rows["female"]["selection_rate"], rows["female"]["impact_ratio"]) == (0.8, 0.4, 0.5)


def test_recommendations_do_not_change_when_self_identification_changes(db_session, catalogue):  # noqa: F811
    candidate = Candidate(external_id="C-SELFID", first_name="Sam", email="selfid@example.com",
                          skills=["Python", "SQL"], desired_roles=["Data Engineer"], work_preference="remote")
    db_session.add(candidate)
    db_session.flush()

    def shown():
        result = recommend_jobs(db_session=db_session, candidate=candidate, loaded=catalogue.index(), log_shown=False)
        return [(item.job.external_id, item.score, item.why) for item in result.items]

    before = shown()
    assert before
    for sex, race in (("female", "black_or_african_american"), ("male", "white"), ("declined", "declined")):
        self_id.record(db_session=db_session, candidate_id=candidate.id, sex=sex, race_ethnicity=race, actor=ATS_API)
        assert shown() == before
    assert db_session.query(RecommendationLog).count() == 0
