"""Decision logs (what the AI showed or decided) are kept for settings.decision_log_retention_days (183), apart
from chat retention: older rows go, newer ones stay, and the oversight switches, the job-alert send-once rows,
the audit log and runs still scheduled or still plannable are never deleted by it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assistant import retention
from assistant.audit import service as audit_service
from assistant.audit.models import AuditEntry
from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.jobs.models import Job, JobAlertSent, RecommendationLog
from assistant.journeys.models import JourneyAttempt, JourneyChatMessage, JourneyRun
from assistant.knowledge.models import AnswerLog
from assistant.oversight import service as oversight_service
from assistant.oversight.models import FeatureSwitch
from assistant.settings import get_settings

NOW = utcnow()


def ago(days: float):
    return NOW - timedelta(days=days)


@pytest.fixture
def logs(db_session):
    """One candidate and job, with decision-log rows of the given ages (in days); returns a writer."""
    db = db_session
    tag = uuid.uuid4().hex[:6]
    candidate = Candidate(external_id=f"C-DLR-{tag}", first_name="Dee", email=f"dlr-{tag}@example.com")
    job = Job(external_id=f"J-DLR-{tag}", title="Analyst", department="finance", level="mid")
    db.add_all([candidate, job])
    db.flush()

    def write(days: float, *, status: str = "sent", due_days: float | None = None) -> dict:
        at = ago(days)
        shown = RecommendationLog(job_id=job.id, candidate_id=candidate.id, rank=1, score=0.5, explanation="why",
                                  created_at=at)
        answer = AnswerLog(id=str(uuid.uuid4()), conversation_id=f"c-{tag}", question="", decision="answer", created_at=at)
        run = JourneyRun(journey_id="status-change", journey_version="v1", candidate_id=candidate.id,
                         occurrence_key=f"stage:{uuid.uuid4().hex}", arm="treated", status=status,
                         due_at=ago(days if due_days is None else due_days), decided_at=at, channel="email")
        db.add_all([shown, answer, run])
        db.flush()
        attempt = JourneyAttempt(run_id=run.id, journey_id=run.journey_id, journey_version="v1", attempt=1,
                                 outcome=status, at=at)
        chat = JourneyChatMessage(run_id=run.id, candidate_id=candidate.id, journey_id=run.journey_id, text="t", created_at=at)
        db.add_all([attempt, chat])
        db.flush()
        return {RecommendationLog: shown.id, AnswerLog: answer.id, JourneyRun: run.id, JourneyAttempt: attempt.id,
                JourneyChatMessage: chat.id}

    write.candidate, write.job = candidate, job
    return write


def _left(db_session, rows: dict) -> set:
    """Returns the models of which this row is still there."""
    db_session.expire_all()
    return {model for model, key in rows.items() if db_session.get(model, key) is not None}


ALL = {RecommendationLog, AnswerLog, JourneyRun, JourneyAttempt, JourneyChatMessage}


def test_rows_older_than_the_setting_go_and_newer_ones_stay(db_session, logs):
    old, new = logs(184), logs(182)
    counts = retention.purge(db_session=db_session, now=NOW)
    assert _left(db_session, old) == set() and _left(db_session, new) == ALL
    assert {k: v for k, v in counts.items() if k.endswith("logs deleted") or k.startswith("journey")} == {
        "recommendation logs deleted": 1, "answer logs deleted": 1, "journey attempts deleted": 1,
        "journey chat messages deleted": 1, "journey runs deleted": 1}
    assert retention.purge(db_session=db_session, now=NOW)["journey runs deleted"] == 0  # nothing twice


def test_the_setting_is_read_and_chat_retention_does_not_drive_it(db_session, logs, monkeypatch):
    settings = get_settings()
    rows = logs(20)
    monkeypatch.setattr(settings, "conversation_retention_days", 1)  # chats: a day; decision logs: still 183
    retention.purge(db_session=db_session, now=NOW)
    assert _left(db_session, rows) == ALL
    monkeypatch.setattr(settings, "conversation_retention_days", 365)  # chats: a year; decision logs: 10 days
    monkeypatch.setattr(settings, "decision_log_retention_days", 10)
    retention.purge(db_session=db_session, now=NOW)
    assert _left(db_session, rows) == set()


def test_runs_still_scheduled_or_still_plannable_stay(db_session, logs, monkeypatch):
    monkeypatch.setattr(get_settings(), "decision_log_retention_days", 10)
    waiting = logs(20, status="scheduled")  # decided long ago, still to be sent: not a finished decision
    plannable = logs(20, due_days=5)  # due 5 days ago: within the longest expires_after (14 days) of the journeys
    finished = logs(20, due_days=15)
    retention.purge(db_session=db_session, now=NOW)
    # Attempts older than the setting go either way; the runs (and their kept chat messages) stay.
    assert _left(db_session, waiting) == _left(db_session, plannable) == {JourneyRun, JourneyChatMessage}
    assert _left(db_session, finished) == set()


def test_switches_alert_send_once_rows_and_the_audit_log_are_not_decision_logs(db_session, logs):
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=False, changed_by="admin")
    db_session.get(FeatureSwitch, "journeys").changed_at = ago(400)
    db_session.add(JobAlertSent(candidate_id=logs.candidate.id, job_id=logs.job.id, sent_at=ago(400)))
    entry = audit_service.record(db_session=db_session, actor=audit_service.CLI, action="read", entity="candidate",
                                 candidate_id=logs.candidate.id)
    entry.at = ago(400)
    db_session.flush()
    retention.purge(db_session=db_session, now=NOW)
    assert not oversight_service.is_enabled(db_session=db_session, feature="journeys")  # still off
    assert db_session.scalar(select(func.count()).select_from(JobAlertSent)
                             .where(JobAlertSent.candidate_id == logs.candidate.id)) == 1
    assert db_session.get(AuditEntry, entry.id) is not None
