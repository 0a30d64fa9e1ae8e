"""The handoff service: one ticket per conversation, honest next steps, notifications, and the spool."""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

from sqlalchemy import select, update

from assistant import mail
from assistant.audit.models import AuditEntry
from assistant.db import make_engine, session_scope
from assistant.escalation import service as escalation_service
from assistant.escalation import spool
from assistant.inbox.models import Ticket
from assistant.settings import get_settings

TRANSCRIPT = [{"who": "candidate", "text": "hello", "at": 1.0}, {"who": "assistant", "text": "Hi there!", "at": 2.0}]


def conversation() -> str:
    return f"handoff-{uuid.uuid4().hex}"


def tickets_of(conversation_id: str) -> list[Ticket]:
    with session_scope() as db:
        return list(db.scalars(select(Ticket).where(Ticket.conversation_id == conversation_id)))


def test_one_ticket_and_honest_next_steps(app_db):
    sender = conversation()
    first = escalation_service.escalate_conversation(conversation_id=sender, reason_name="negotiate_compensation",
                                                     trigger_message="my offer is too low", transcript=TRANSCRIPT)
    again = escalation_service.escalate_conversation(conversation_id=sender, reason_name="negotiate_compensation",
                                                     trigger_message="my offer is too low", transcript=TRANSCRIPT)
    assert first.created and not again.created
    assert first.ticket_id == again.ticket_id
    [ticket] = tickets_of(sender)
    assert (ticket.reason, ticket.priority, ticket.status) == ("negotiate_compensation", "normal", "open")
    assert ticket.trigger_message == "my offer is too low" and ticket.transcript == TRANSCRIPT
    [text] = first.messages
    assert "your recruiter" in text and f"#{ticket.id}" in text
    assert "in this chat" in text and "(Europe/Berlin time)" in text
    assert get_settings().recruiting_email in text


def test_distress_gets_crisis_resources_first_and_urgent_priority(app_db):
    sender = conversation()
    handoff = escalation_service.escalate_conversation(conversation_id=sender, reason_name="distress",
                                                       trigger_message="I can't go on", transcript=[])
    settings = get_settings()
    assert settings.emergency_number in handoff.messages[0] and settings.crisis_line in handoff.messages[0]
    assert "passed this conversation" in handoff.messages[1]
    assert tickets_of(sender)[0].priority == "urgent"


def test_verified_candidate_is_linked_and_the_write_audited(candidate):
    sender = conversation()
    handoff = escalation_service.escalate_conversation(
        conversation_id=sender, reason_name="request_accommodation", trigger_message="I need a sign interpreter",
        transcript=[], metadata={"candidate_token": candidate["token"], "page": "/jobs/1"},
    )
    [ticket] = tickets_of(sender)
    assert ticket.candidate_id == candidate["id"] and ticket.candidate_email == candidate["email"]
    assert "by e-mail to the address on your application" in handoff.messages[0]
    with session_scope() as db:
        entries = db.scalars(select(AuditEntry).where(AuditEntry.candidate_id == candidate["id"],
                                                      AuditEntry.entity == "ticket")).all()
    assert [(e.action, e.entity_id) for e in entries] == [("create", str(ticket.id))]


@contextmanager
def webhook_receiver():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()


def test_recruiters_are_notified_once_without_the_candidates_words(app_db, monkeypatch):
    settings = get_settings()
    notify_to = f"inbox-{uuid.uuid4().hex[:8]}@fernhill.example"
    with webhook_receiver() as (url, received):
        monkeypatch.setattr(settings, "escalation_webhook_url", url)
        monkeypatch.setattr(settings, "recruiter_notify_email", notify_to)
        monkeypatch.setattr(settings, "recruiter_notify_batch_seconds", 0)  # no batching (tests/escalation/test_limits.py)
        with session_scope() as db:  # earlier tests' tickets waiting for a digest are not this test's
            db.execute(update(Ticket).where(Ticket.notified_at.is_(None)).values(notified_at=Ticket.created_at))
        sender = conversation()
        for _ in range(2):
            escalation_service.escalate_conversation(conversation_id=sender, reason_name="legal_threat",
                                                     trigger_message="my lawyer Ms Secret will call", transcript=[])
    [ticket] = tickets_of(sender)
    assert len(received) == 1
    assert received[0]["ticket_id"] == ticket.id and received[0]["priority"] == "high"
    assert "Secret" not in json.dumps(received[0])
    [message] = mail.outbox(to=notify_to)
    assert f"#{ticket.id}" in message["Subject"] and "Secret" not in message.get_content()


def test_unreachable_inbox_spools_and_delivers_later(app_db, monkeypatch):
    sender = conversation()
    down = make_engine("postgresql://nobody:nothing@127.0.0.1:1/none")

    @contextmanager
    def unreachable_scope():
        from sqlalchemy.orm import Session

        with Session(bind=down) as session:
            yield session

    monkeypatch.setattr(escalation_service, "session_scope", unreachable_scope)
    handoff = escalation_service.escalate_conversation(conversation_id=sender, reason_name="data_request",
                                                       trigger_message="delete my data", transcript=TRANSCRIPT)
    assert handoff.spooled and handoff.ticket_id is None
    assert get_settings().recruiting_email in handoff.messages[0]
    assert tickets_of(sender) == []
    files = [p for p in spool.pending() if json.loads(p.read_text())["conversation_id"] == sender]
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o600

    assert spool.deliver() == 0  # still down: kept for the next run
    assert files[0].exists()

    monkeypatch.undo()
    assert spool.deliver() >= 1
    [ticket] = tickets_of(sender)
    assert (ticket.reason, ticket.trigger_message, ticket.transcript) == ("data_request", "delete my data", TRANSCRIPT)
    assert not files[0].exists()
    assert spool.deliver() == 0


def test_a_corrupt_spool_file_is_set_aside_not_retried_forever(app_db):
    path = spool.spool_dir() / "escalation-broken.json"
    spool.spool_dir().mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    spool.deliver()
    assert not path.exists() and path.with_suffix(".bad").exists()


def test_due_time_follows_each_reasons_target_in_business_hours(app_db):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tuesday_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    due = {reason: escalation_service.escalate_conversation(conversation_id=conversation(), reason_name=reason,
                                                            trigger_message="x", transcript=[], now=tuesday_10).due_at
           for reason in ("distress", "report_discrimination", "data_request")}
    berlin = {reason: value.astimezone(ZoneInfo("Europe/Berlin")) for reason, value in due.items()}
    assert (berlin["distress"].day, berlin["distress"].hour) == (24, 11)  # 1 business hour
    assert (berlin["report_discrimination"].day, berlin["report_discrimination"].hour) == (24, 14)  # 4 hours
    assert (berlin["data_request"].day, berlin["data_request"].hour) == (27, 10)  # 24 business hours = 3 days
