"""Exactly once, nothing lost: a durable schedule that survives downtime, retries with backoff, and two scheduler
processes that never send the same message twice (SQLite file and, when configured, PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from email.parser import BytesParser
from email.policy import default as default_policy

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from assistant import mail, migrate
from assistant.candidates import ats
from assistant.db import make_engine
from assistant.jobs.models import Job
from assistant.journeys.models import JourneyAttempt, JourneyRun
from assistant.settings import get_settings
from tests.conftest import POSTGRES_URL
from tests.journeys.conftest import ATS, ROOT, T0

DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


def test_a_message_due_during_downtime_is_sent_after_it_unless_it_no_longer_makes_sense(world):
    ria = world.candidate(treated_for=("interview-preparation",))
    app = world.application(ria, stage="interviews", changed_at=T0 - 5 * DAY)
    world.interview(app, T0 + 3 * DAY)
    slow = world.candidate()
    world.application(slow, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)
    world.tick(T0 - DAY)  # planned; then nothing runs for four days
    assert {r.journey_id: r.status for r in world.runs(ria) if r.journey_id.startswith("interview")} == {
        "interview-preparation": "scheduled", "interview-reminder-24h": "scheduled", "interview-reminder-2h": "scheduled"}
    world.tick(T0 + 3 * DAY + HOUR)
    assert {r.journey_id: (r.status, r.reason) for r in world.runs(ria) if r.journey_id.startswith("interview")} == {
        "interview-preparation": ("skipped", "expired: no longer makes sense"),
        "interview-reminder-24h": ("skipped", "expired: no longer makes sense"),
        "interview-reminder-2h": ("skipped", "expired: no longer makes sense")}
    assert world.mails(ria) == []
    assert world.sent(slow) == ["longer-than-usual"]  # still makes sense: sent late, once


def test_a_failing_mail_server_is_retried_with_backoff_and_every_attempt_is_logged(world, monkeypatch):
    sam = world.candidate()
    world.application(sam, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)
    real_send, failures = mail.send, [ConnectionRefusedError("mail server down")] * 2

    def flaky_send(**kwargs):
        if failures:
            raise failures.pop()
        return real_send(**kwargs)

    monkeypatch.setattr(mail, "send", flaky_send)
    world.tick(T0)
    (run,) = world.runs(sam, "longer-than-usual")
    assert run.status == "scheduled" and run.locked_until.replace(tzinfo=T0.tzinfo) == T0 + timedelta(seconds=60)
    world.tick(T0 + timedelta(seconds=59))
    world.tick(T0 + timedelta(seconds=60))  # second failure: the wait doubles
    (run,) = world.runs(sam, "longer-than-usual")
    assert run.locked_until.replace(tzinfo=T0.tzinfo) == T0 + timedelta(seconds=180)
    world.tick(T0 + timedelta(seconds=180))
    (run,) = world.runs(sam, "longer-than-usual")
    assert run.status == "sent" and run.attempts == 3
    assert [outcome for outcome, _ in world.attempts(run)] == ["error", "error", "sent"]
    assert world.attempts(run)[0][1] == "DeliveryFailed: mail failed: ConnectionRefusedError"
    versions = world.db.scalars(select(JourneyAttempt.journey_version).where(JourneyAttempt.run_id == run.id)).all()
    assert set(versions) == {run.journey_version} and len(run.journey_version) == 16
    assert len(world.mails(sam)) == 1
    assert run.done_actions == ["0:email", "1:task"]  # the task was opened once, after the e-mail went out


def test_after_the_last_attempt_a_run_is_marked_failed_and_not_tried_again(world, monkeypatch):
    tom = world.candidate()
    world.application(tom, stage="under_review", changed_at=T0 - 11 * DAY - HOUR)

    def down(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(mail, "send", down)
    at = T0
    for _ in range(get_settings().journey_max_attempts + 2):
        world.tick(at)
        at += timedelta(minutes=10)
    (run,) = world.runs(tom, "longer-than-usual")
    assert (run.status, run.attempts) == ("failed", get_settings().journey_max_attempts)
    assert run.reason.startswith("DeliveryFailed: mail failed")


WORKER = """
import json, sys, time
from datetime import datetime
from assistant.journeys import scheduler
start, now, name = float(sys.argv[1]), datetime.fromisoformat(sys.argv[2]), sys.argv[3]
scheduler.BATCH = 3  # small claims, so the two workers interleave
time.sleep(max(0.0, start - time.time()))
totals = {}
while True:
    counts = scheduler.tick(now=now, worker=name, replan=True)
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value
    if not counts.get("sent"):
        break
print(json.dumps(totals))
"""


def _databases() -> list[str]:
    return ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.mark.parametrize("backend", _databases())
def test_two_scheduler_processes_send_every_message_exactly_once(backend, tmp_path):
    schema = f"journeys_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'two-workers.db'}"
    else:
        with make_engine(POSTGRES_URL).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
        count = 24
        with Session(engine) as db:
            db.add(Job(external_id="FH-TW", title="Data Engineer", department="data", level="mid"))
            db.flush()
            candidates = [{"external_id": f"TW-{n}", "first_name": "Two", "email": f"tw{n}@example.com", "time_zone": "UTC"}
                          for n in range(count)]
            applications = [{"external_id": f"TWA-{n}", "candidate_external_id": f"TW-{n}", "job_external_id": "FH-TW",
                             "stage": "under_review", "applied_at": (T0 - 20 * DAY).isoformat(),
                             "stage_changed_at": (T0 - 11 * DAY - HOUR).isoformat()} for n in range(count)]
            for kind, rows in (("candidates", candidates), ("applications", applications)):
                assert not ats.import_rows(db_session=db, kind=kind, rows=rows, actor=ATS).errors
            db.commit()
        data_dir = tmp_path / "data"
        env = {**os.environ, "ASSISTANT_DATABASE_URL": url, "ASSISTANT_DATA_DIR": str(data_dir),
               "ASSISTANT_JOURNEYS_DIR": str(ROOT / "journeys"), "PYTHONPATH": str(ROOT)}
        data_dir.mkdir()
        start = time.time() + 6  # both import first, then start together
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(start), (T0 + HOUR).isoformat(), f"w{n}"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=240)
            assert worker.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        with Session(engine) as db:
            statuses = Counter(db.scalars(select(JourneyRun.status).where(JourneyRun.journey_id == "longer-than-usual")))
            sent_attempts = db.scalar(select(func.count()).select_from(JourneyAttempt).where(JourneyAttempt.outcome == "sent"))
            by_worker = Counter(db.scalars(select(JourneyAttempt.worker).where(JourneyAttempt.outcome == "sent")))
        assert statuses == {"sent": count}
        assert sent_attempts == count
        mails = [BytesParser(policy=default_policy).parsebytes(p.read_bytes()) for p in (data_dir / "outbox").glob("*.eml")]
        assert len(mails) == count and len({m["X-Journey-Run"] for m in mails}) == count
        assert sum(r.get("sent", 0) for r in results) == count and set(by_worker) <= {"w1", "w2"}
        print(f"{backend}: sent per worker {dict(by_worker)}")
    finally:
        engine.dispose()
        if backend == "postgresql":
            with make_engine(POSTGRES_URL).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
