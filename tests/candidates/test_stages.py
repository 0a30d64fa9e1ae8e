"""Every stage has a candidate-facing message; durations are stated kindly; no decision is ever invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from assistant.candidates import stages
from assistant.candidates.stages import Stage

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
DECISION_WORDS = ("offer", "not to move forward", "accepted", "welcome aboard", "rejected", "unsuccessful")


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_has_a_message_and_a_next_step(stage):
    text = stages.summary(job_title="Data Engineer", stage=stage, stage_changed_at=NOW - timedelta(days=1), now=NOW)
    info = stages.info(stage)
    assert text.startswith(f"**Data Engineer**: {info.label}.")
    assert info.explanation in text and f"Next step: {info.next_step}." in text


@pytest.mark.parametrize("stage", sorted(stages.ACTIVE_STAGES - {Stage.OFFER}))
def test_in_progress_stages_never_mention_a_decision(stage):
    text = stages.summary(job_title="Nurse", stage=stage, stage_changed_at=NOW - timedelta(days=40), now=NOW).lower()
    assert not any(word in text for word in DECISION_WORDS), text


def test_a_decision_is_reported_only_when_the_record_says_so():
    assert "decided not to move forward" in stages.summary(job_title="X", stage="not_selected", stage_changed_at=NOW, now=NOW)
    assert "made you an offer" in stages.summary(job_title="X", stage="offer", stage_changed_at=NOW, now=NOW)
    assert "accepted an offer" in stages.summary(job_title="X", stage="hired", stage_changed_at=NOW, now=NOW)


def test_longer_than_usual_is_said_kindly_with_the_usual_time():
    text = stages.summary(job_title="X", stage="under_review", stage_changed_at=NOW - timedelta(days=16), now=NOW)
    assert "for 16 days" in text
    assert "a little longer than usual (typically about 10 days); that happens when" in text


def test_within_the_usual_time():
    text = stages.summary(job_title="X", stage="under_review", stage_changed_at=NOW - timedelta(days=3), now=NOW)
    assert "for 3 days. That is within the usual time (about 10 days)." in text
    assert "longer than usual" not in text


def test_final_stages_have_no_duration():
    text = stages.summary(job_title="X", stage="withdrawn", stage_changed_at=NOW - timedelta(days=90), now=NOW)
    assert "days" not in text


def test_typical_days_come_from_settings(monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setitem(get_settings().stage_typical_days, "assessment", 2)
    text = stages.summary(job_title="X", stage="assessment", stage_changed_at=NOW - timedelta(days=3), now=NOW)
    assert "longer than usual (typically about 2 days)" in text


def test_unknown_stage_is_an_error():
    with pytest.raises(ValueError):
        stages.info("ghosted")
