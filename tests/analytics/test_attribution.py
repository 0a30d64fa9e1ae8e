"""Journey effects against the holdout, on journey_run rows of the contract's shape with known outcomes.

The journeys log (#15) had not landed when this was written: the test creates the table from the contract's
columns when the migrations do not (checkfirst), so it keeps working once they do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert

from assistant.analytics import attribution, stats
from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.jobs.models import BehaviourEvent, Job

NOW = utcnow()


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10.
    difference, low, high = stats.newcombe(56, 70, 48, 80)
    assert (round(difference, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    assert tuple(round(x, 4) for x in stats.wilson(0, 10)) == (0.0, 0.2775)


@pytest.fixture
def runs(db_session):
    attribution.journey_run_table.create(db_session.connection(), checkfirst=True)
    job = Job(external_id="J-ATTR", title="Cook", department="Kitchen", level="mid")
    db_session.add(job)
    db_session.flush()

    def add(journey_id: str, arm: str, count: int, reached: int, days_ago: float = 20, status: str | None = None):
        for i in range(count):
            candidate = Candidate(external_id=f"C-{journey_id}-{arm}-{i}-{days_ago}", first_name="A",
                                  email=f"{journey_id}.{arm}.{i}.{days_ago}@example.com")
            db_session.add(candidate)
            db_session.flush()
            decided = NOW - timedelta(days=days_ago)
            db_session.execute(insert(attribution.journey_run_table).values(
                journey_id=journey_id, journey_version="1", candidate_id=candidate.id, occurrence_key="k", arm=arm,
                status=status or ("sent" if arm == "treated" else "held_out"), due_at=decided, decided_at=decided,
                channel="email", reason="", attempts=0, done_actions=[]))
            if i < reached:  # completed 3 days after the nudge (inside the 14-day window)
                db_session.add(BehaviourEvent(candidate_id=candidate.id, job_id=job.id, kind="apply_completed",
                                              created_at=decided + timedelta(days=3)))
        db_session.flush()

    return add


def test_treated_vs_holdout_with_interval_and_sample_sizes(db_session, runs):
    runs("nudge", "treated", 60, 30)
    runs("nudge", "holdout", 40, 8)
    runs("nudge", "treated", 5, 5, days_ago=2)  # window still open: waiting, not counted
    effect, = attribution.effects(db_session=db_session, start=NOW - timedelta(days=60), end=NOW,
                                  goals={"nudge": {"goal": "application_completed", "holdout": 0.1}}, now=NOW)
    assert (effect.treated, effect.treated_outcomes, effect.holdout_runs, effect.holdout_outcomes) == (60, 30, 40, 8)
    assert (effect.treated_rate, effect.holdout_rate, effect.waiting, effect.enough_data) == (0.5, 0.2, 5, True)
    difference, low, high = stats.newcombe(30, 60, 8, 40)
    assert (effect.difference, effect.ci_low, effect.ci_high) == (round(difference, 4), round(low, 4), round(high, 4))
    assert 0 < effect.ci_low < 0.3 < effect.ci_high


def test_small_samples_say_not_enough_data(db_session, runs):
    runs("welcome", "treated", 12, 6)
    runs("welcome", "holdout", 3, 1)
    runs("no-holdout", "treated", 40, 10)
    effects = attribution.effects(db_session=db_session, start=NOW - timedelta(days=60), end=NOW, now=NOW,
                                  goals={"welcome": {"goal": "application_completed", "holdout": 0.2},
                                         "no-holdout": {"goal": "applied"}})
    assert [e.journey_id for e in effects] == ["welcome"]  # a journey without a holdout has nothing to compare
    assert effects[0].enough_data is False and effects[0].difference is None
    assert effects[0].note == f"not enough data: at least {attribution.MIN_PER_ARM} runs per arm are needed"
    assert (effects[0].treated, effects[0].holdout_runs) == (12, 3)


def test_journey_goals_are_read_from_the_journey_files(tmp_path):
    (tmp_path / "a.yml").write_text("id: abandoned-application\nholdout: 0.1\ngoal: application_completed\n")
    (tmp_path / "b.yml").write_text("id: [unclosed\n")
    assert attribution.journey_goals(tmp_path) == {"abandoned-application": {"goal": "application_completed", "holdout": 0.1}}
