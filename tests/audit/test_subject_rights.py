"""Export and erasure of one candidate: everything held is exported, and after erasure nothing is left in any
table or in the tracker store; other candidates' data stays; the audit log keeps only that an erasure happened."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import JSON, String, Text, insert, select

from assistant.analytics import feedback
from assistant.analytics.conversations import events_table
from assistant.analytics.models import NpsResponse
from assistant.audit import self_id, subject
from assistant.audit.models import AuditEntry
from assistant.audit.service import ATS_API, Actor
from assistant.candidates.models import Application, Candidate, Interview, Offer, StageHistory
from assistant.db import Base, import_all_models, make_engine, utcnow
from assistant.events import service as events_service
from assistant.events.schemas import EventIn
from assistant.identity import service as identity_service
from assistant.identity.models import OneTimeCode
from assistant.inbox import service as inbox_service
from assistant.inbox.models import TicketMessage
from assistant.jobs.models import Job, JobAlertSent, RecommendationLog
from assistant.knowledge.models import AnswerLog

PRIVACY = Actor(type="staff", id="7", channel="inbox")
NOW = utcnow()


@pytest.fixture
def tracker_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = make_engine(url)
    events_table.create(engine)
    engine.dispose()
    return url


def _tracker_write(url: str, sender: str, texts: list[str]) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        for i, text in enumerate(texts):
            connection.execute(insert(events_table).values(
                sender_id=sender, type_name="user", timestamp=NOW.timestamp() + i, intent_name="greet",
                data=json.dumps({"event": "user", "text": text})))
    engine.dispose()


def _tracker_senders(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        senders = set(connection.scalars(select(events_table.c.sender_id).distinct()))
    engine.dispose()
    return senders


def _person(db_session, tag: str, tracker_url: str) -> dict:
    """A candidate with data in every concern: record, application, interview, offer, events, recommendations,
    alerts, answers, ticket with messages, a verification and a code, a rating, NPS, self-identification,
    audit entries, and two Rasa conversations (one verified, one where they only typed their e-mail)."""
    job = db_session.scalar(select(Job).where(Job.external_id == "J-DSR")) or Job(
        external_id="J-DSR", title="Baker", department="Food", level="mid")
    db_session.add(job)
    email = f"{tag}.person@example.com"
    candidate = Candidate(external_id=f"C-DSR-{tag}", first_name=f"Name{tag}", last_name="Surname", email=email, phone="+441234567890")
    db_session.add(candidate)
    db_session.flush()
    chat, typed_only = f"conv-{tag}-{uuid.uuid4().hex[:6]}", f"otp-{tag}-{uuid.uuid4().hex[:6]}"
    application = Application(external_id=f"APP-DSR-{tag}", candidate_id=candidate.id, job_id=job.id, stage="offer",
                              applied_at=NOW, stage_changed_at=NOW)
    db_session.add(application)
    db_session.flush()
    db_session.add_all([
        StageHistory(application_id=application.id, stage="offer", changed_at=NOW),
        Interview(external_id=f"INT-DSR-{tag}", application_id=application.id, scheduled_at=NOW, kind="video"),
        Offer(external_id=f"OF-DSR-{tag}", application_id=application.id, status="made", made_at=NOW),
        JobAlertSent(candidate_id=candidate.id, job_id=job.id),
        RecommendationLog(conversation_id=chat, candidate_id=candidate.id, job_id=job.id, rank=1, score=0.5, explanation="x"),
        AnswerLog(id=str(uuid.uuid4()), conversation_id=chat, question=f"is {email} right?", decision="answer"),
        OneTimeCode(conversation_id=typed_only, email=email, code_hash="h", expires_at=NOW),
    ])
    db_session.flush()
    events_service.record_events(db_session=db_session, events=[EventIn(kind="job_viewed", job_id="J-DSR")],
                                 visitor_id=f"visitor-{tag}")
    events_service.merge_visitor(db_session=db_session, visitor_id=f"visitor-{tag}", candidate_id=candidate.id)
    identity_service.mark_verified(db_session=db_session, conversation_id=chat, candidate_id=candidate.id, method="token",
                                   client_key_hash="e" * 64)
    ticket, _ = inbox_service.open_ticket(db_session=db_session, conversation_id=chat, reason="request_human",
                                          priority="normal", due_at=NOW + timedelta(hours=8), trigger_message="help me",
                                          transcript=[{"who": "candidate", "text": "help"}], candidate_id=candidate.id,
                                          candidate_email=email)
    db_session.add(TicketMessage(ticket_id=ticket.id, author_type="recruiter", body=f"Hi Name{tag}"))
    feedback.record_chat_rating(db_session=db_session, conversation_id=chat, rating=4, candidate_id=candidate.id)
    db_session.add(NpsResponse(candidate_id=candidate.id, application_id=application.id, survey_key=f"APP-DSR-{tag}:offer", score=9))
    self_id.record(db_session=db_session, candidate_id=candidate.id, sex="female", race_ethnicity="asian", actor=ATS_API)
    db_session.flush()
    _tracker_write(tracker_url, chat, ["hello", "where is my application?"])
    _tracker_write(tracker_url, typed_only, ["check my status", email])
    return {"candidate": candidate, "email": email, "conversations": {chat, typed_only}, "name": f"Name{tag}"}


def _text_columns():
    import_all_models()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text, JSON)):
                yield table, column


def test_export_has_every_kind_of_data_and_erasure_leaves_nothing(db_session, tracker_url):
    ada = _person(db_session, "ada", tracker_url)
    bob = _person(db_session, "bob", tracker_url)
    external_id, candidate_id = ada["candidate"].external_id, ada["candidate"].id
    bob_external_id = bob["candidate"].external_id
    exported = subject.export(db_session=db_session, external_id=external_id, actor=PRIVACY, tracker_store_url=tracker_url)
    expected_tables = {"candidate", "application", "stage_history", "interview", "offer", "behaviour_event", "visitor_link",
                       "recommendation_log", "job_alert_sent", "answer_log", "one_time_code", "conversation_identity",
                       "ticket", "ticket_message", "chat_rating", "nps_response", "self_identification", "audit_entry"}
    assert expected_tables <= set(exported["tables"])
    assert set(exported["conversations"]) == ada["conversations"]
    assert [e["text"] for e in exported["conversations"][min(ada["conversations"], key=lambda c: not c.startswith("otp"))]]
    blob = json.dumps(exported)
    assert ada["email"] in blob and bob["email"] not in blob and bob["name"] not in blob
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "export")).entity_id == external_id

    result = subject.erase(db_session=db_session, external_id=external_id, actor=PRIVACY, tracker_store_url=tracker_url)
    assert result.conversations == 2 and set(result.rows) >= expected_tables
    db_session.flush()
    for table, column in _text_columns():  # no trace of the person's e-mail, name or id in any text column
        for marker in (ada["email"], ada["name"], external_id):
            hits = db_session.execute(select(table).where(column.cast(Text).contains(marker, autoescape=True))).all()
            assert not hits, f"{table.name}.{column.name} still holds {marker!r}"
    for table in Base.metadata.sorted_tables:  # no row pointing at the person's id
        for column in table.columns:
            if column.name == "candidate_id" or any(fk.column.table.name == "candidate" for fk in column.foreign_keys):
                assert not db_session.execute(select(table).where(column == candidate_id)).all(), f"{table.name}.{column.name}"
    assert _tracker_senders(tracker_url) == bob["conversations"]
    erasure = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert len(erasure) == 1 and erasure[0].candidate_id is None and erasure[0].entity_id is None
    assert "rasa_tracker" in erasure[0].fields and erasure[0].actor_id == "7"
    # the other candidate keeps everything
    again = subject.export(db_session=db_session, external_id=bob_external_id, actor=PRIVACY,
                           tracker_store_url=tracker_url)
    assert expected_tables <= set(again["tables"]) and set(again["conversations"]) == bob["conversations"]


def test_unknown_candidate_is_a_clear_error(db_session, tracker_url):
    from assistant.candidates.service import NotFound

    with pytest.raises(NotFound):
        subject.erase(db_session=db_session, external_id="C-NOBODY", actor=PRIVACY, tracker_store_url=tracker_url)
