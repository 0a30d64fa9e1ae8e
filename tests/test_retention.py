"""Retention: conversation data past its time is deleted or blanked, what reporting needs stays, nothing else moves."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import create_engine, select, text

from assistant import retention
from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.identity.models import ConversationIdentity, OneTimeCode
from assistant.inbox.models import Ticket, TicketMessage
from assistant.jobs.models import BehaviourEvent, Job, RecommendationLog
from assistant.knowledge.models import AnswerLog

NOW = utcnow()


def ago(days: float):
    return NOW - timedelta(days=days)


def test_purge_removes_old_conversation_data_and_keeps_the_rest(db_session):
    db = db_session
    candidate = Candidate(external_id=f"C-RET-{uuid.uuid4().hex[:6]}", first_name="Rae", email=f"{uuid.uuid4().hex[:8]}@example.com")
    job = Job(external_id=f"FH-RET-{uuid.uuid4().hex[:6]}", title="Nurse", department="clinical", level="mid")
    db.add_all([candidate, job])
    db.flush()
    old_answer = AnswerLog(id=str(uuid.uuid4()), conversation_id="c-old", question="my email is x@y.example",
                           decision="answer", doc_path="a.md", helpful=False, created_at=ago(31))
    new_answer = AnswerLog(id=str(uuid.uuid4()), conversation_id="c-new", question="visa?", decision="decline", created_at=ago(29))
    old_shown = RecommendationLog(job_id=job.id, candidate_id=candidate.id, rank=1, score=0.5, explanation="why",
                                  query="nurse jobs near my home in Leeds", created_at=ago(40))
    new_shown = RecommendationLog(job_id=job.id, rank=1, score=0.5, explanation="why", query="nurse", created_at=ago(1))
    codes = [OneTimeCode(conversation_id="c", email="a@b.example", code_hash="h", created_at=ago(age), expires_at=ago(age))
             for age in (2, 0.5)]
    identities = [ConversationIdentity(conversation_id=f"c-{uuid.uuid4().hex}", candidate_id=candidate.id, method="otp",
                                       verified_at=ago(1), expires_at=NOW + timedelta(hours=hours)) for hours in (-1, 1)]
    events = [BehaviourEvent(visitor_id="v1", job_id=job.id, kind="job_viewed", created_at=ago(age)) for age in (181, 179)]
    old_ticket = Ticket(conversation_id="t-old", reason="request_human", priority="normal", status="resolved",
                        trigger_message="I want a human", transcript=[{"who": "candidate", "text": "hi"}],
                        candidate_email="rae@example.com", due_at=ago(60), closed_at=ago(31))
    open_ticket = Ticket(conversation_id="t-open", open_conversation_id="t-open", reason="distress", priority="urgent",
                         status="open", trigger_message="help", transcript=[{"who": "candidate", "text": "help"}],
                         due_at=ago(40), created_at=ago(45))
    db.add_all([old_answer, new_answer, old_shown, new_shown, *codes, *identities, *events, old_ticket, open_ticket])
    db.flush()
    db.add(TicketMessage(ticket_id=old_ticket.id, author_type="recruiter", body="Hi Rae", created_at=ago(32)))
    db.flush()

    counts = retention.purge(db_session=db, now=NOW)

    assert counts == {"answer questions blanked": 1, "recommendation requests blanked": 1, "one-time codes deleted": 1,
                      "expired verifications deleted": 1, "behaviour events deleted": 1,
                      "resolved ticket conversations removed": 1, "recommendation logs deleted": 0,
                      "answer logs deleted": 0, "journey attempts deleted": 0, "journey chat messages deleted": 0,
                      "journey runs deleted": 0}  # decision logs have their own, longer retention
    db.expire_all()
    assert (old_answer.question, old_answer.doc_path, old_answer.helpful) == ("", "a.md", False)  # the gap report keeps its counts
    assert new_answer.question == "visa?"
    assert old_shown.query is None and (old_shown.candidate_id, old_shown.rank) == (candidate.id, 1)  # bias audits keep the row
    assert new_shown.query == "nurse"
    assert len(db.scalars(select(OneTimeCode).where(OneTimeCode.conversation_id == "c")).all()) == 1
    assert db.scalars(select(BehaviourEvent).where(BehaviourEvent.visitor_id == "v1")).one().created_at is not None
    assert (old_ticket.transcript, old_ticket.trigger_message, old_ticket.candidate_email) == ([], "", None)
    assert old_ticket.reason == "request_human" and not db.scalars(select(TicketMessage).where(TicketMessage.ticket_id == old_ticket.id)).all()
    assert open_ticket.transcript and open_ticket.trigger_message == "help"
    assert retention.purge(db_session=db, now=NOW)["resolved ticket conversations removed"] == 0  # nothing twice


def test_old_rasa_conversations_go_except_those_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert retention.purge_conversations(tracker_store_url=url, keep=set(), now=NOW) == 0  # no table yet
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                                "timestamp FLOAT, data TEXT)"))
        rows = [("old", ago(40)), ("old", ago(35)), ("recent", ago(40)), ("recent", ago(2)), ("paused", ago(50))]
        for sender, at in rows:
            connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, '{}')"),
                               {"s": sender, "t": at.timestamp()})
    assert retention.purge_conversations(tracker_store_url=url, keep={"paused"}, now=NOW, dry_run=True) == 1
    assert retention.purge_conversations(tracker_store_url=url, keep={"paused"}, now=NOW) == 1
    with engine.connect() as connection:
        left = connection.execute(text("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id ORDER BY sender_id")).all()
    assert left == [("paused", 1), ("recent", 2)]  # a conversation is deleted whole, never cut in the middle
    engine.dispose()


def test_the_command_reports_counts_and_a_dry_run_changes_nothing():
    from typer.testing import CliRunner

    from assistant import migrate
    from assistant.cli import app as cli
    from assistant.db import session_scope

    migrate.upgrade()
    question = f"an old question {uuid.uuid4().hex}"
    with session_scope() as db:
        db.add(AnswerLog(id=str(uuid.uuid4()), conversation_id="cli", question=question, decision="decline", created_at=ago(90)))
    dry = CliRunner().invoke(cli, ["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "dry run: nothing changed" in dry.output and "answer questions blanked" in dry.output
    with session_scope() as db:
        assert db.scalar(select(AnswerLog.id).where(AnswerLog.question == question)) is not None
    assert CliRunner().invoke(cli, ["retention", "purge"]).exit_code == 0
    with session_scope() as db:
        assert db.scalar(select(AnswerLog.id).where(AnswerLog.question == question)) is None
