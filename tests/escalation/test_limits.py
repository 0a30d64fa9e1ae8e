"""Escalation abuse limits (issue #13, item 4): tickets per conversation, per client address and in all per hour,
honest replies over a limit, distress never turned away, an alert when the ceiling is crossed, and recruiter
notifications batched instead of one per ticket. Real database and a real webhook receiver."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from assistant import mail
from assistant.abuse import limits
from assistant.db import session_scope, utcnow
from assistant.escalation import service as escalation_service
from assistant.identity.models import RateHit
from assistant.inbox import notify
from assistant.inbox.models import Ticket, TicketMessage
from assistant.settings import get_settings
from tests.abuse import client_address as client
from tests.escalation.test_handoff import tickets_of, webhook_receiver


def conversation() -> str:
    return f"limits-{uuid.uuid4().hex}"


def escalate(sender: str, reason: str = "request_human", address: str = "", now=None):
    return escalation_service.escalate_conversation(
        conversation_id=sender, reason_name=reason, trigger_message="please", transcript=[],
        metadata={"client_address": address} if address else {}, now=now)


def resolve(sender: str) -> None:
    with session_scope() as db:
        db.execute(update(Ticket).where(Ticket.open_conversation_id == sender)
                   .values(status="resolved", open_conversation_id=None, closed_at=utcnow()))


@pytest.fixture(autouse=True)
def quiet_notifications(app_db, monkeypatch):
    """No webhook or e-mail unless a test sets one; no batching unless a test sets it; a fresh ceiling count."""
    settings = get_settings()
    for name, value in (("escalation_webhook_url", ""), ("recruiter_notify_email", ""),
                        ("recruiter_notify_batch_seconds", 0), ("alert_email", "")):
        monkeypatch.setattr(settings, name, value)
    with session_scope() as db:
        db.execute(delete(RateHit).where(RateHit.key.in_(["ticket-all", "alert:ticket-ceiling", "notify:recruiters"])))
        db.execute(update(Ticket).where(Ticket.notified_at.is_(None)).values(notified_at=utcnow()))


def test_a_conversation_gets_three_tickets_an_hour_then_an_honest_reply_and_no_pause(app_db):
    sender, start = conversation(), utcnow()
    ids = []
    for n in range(3):
        handoff = escalate(sender, now=start + timedelta(minutes=n))
        assert handoff.created and not handoff.refused
        ids.append(handoff.ticket_id)
        assert escalate(sender, now=start + timedelta(minutes=n)).ticket_id == ids[-1]  # the open ticket takes it
        resolve(sender)
    over = escalate(sender, now=start + timedelta(minutes=4))
    assert over.refused == "conversation" and not over.created and over.ticket_id == ids[-1]
    [text] = over.messages
    assert f"A recruiter already has your request from this conversation (reference #{ids[-1]})" in text
    assert get_settings().recruiting_email in text
    assert len(tickets_of(sender)) == 3
    later = escalate(sender, now=start + timedelta(minutes=61))  # the first has left the hour
    assert later.created


def test_distress_over_the_limit_reopens_the_latest_ticket_instead_of_being_turned_away(app_db):
    sender, start = conversation(), utcnow()
    for n in range(3):
        escalate(sender, now=start + timedelta(minutes=n))
        resolve(sender)
    handoff = escalate(sender, "distress", now=start + timedelta(minutes=5))
    settings = get_settings()
    assert not handoff.refused and settings.crisis_line in handoff.messages[0]
    assert "passed this conversation" in handoff.messages[1]
    tickets = tickets_of(sender)
    assert len(tickets) == 3
    reopened = max(tickets, key=lambda t: t.id)
    assert (reopened.id, reopened.status, reopened.priority, reopened.open_conversation_id) == (
        handoff.ticket_id, "open", "urgent", sender)
    with session_scope() as db:
        notes = db.scalars(select(TicketMessage.body).where(TicketMessage.ticket_id == reopened.id)).all()
    assert any("Reopened" in note and "Emotional distress" in note for note in notes)


def test_one_client_address_gets_ten_tickets_an_hour_from_fresh_conversations(app_db):
    address = client()
    results = [escalate(conversation(), address=address) for _ in range(11)]
    assert [r.created for r in results] == [True] * 10 + [False]
    assert results[10].refused == "client" and results[10].ticket_id is None
    assert "unusually high number of requests" in results[10].messages[0]
    assert get_settings().recruiting_email in results[10].messages[0]
    assert escalate(conversation(), address=client()).created  # another address is not affected
    assert escalate(conversation(), address="127.0.0.1").created  # this machine (tools, the demo) is not counted
    distress = escalate(conversation(), "distress", address=address)  # never turned away
    assert distress.created and not distress.refused


def test_the_global_ceiling_turns_away_non_urgent_tickets_and_alerts_the_admins_once(app_db, monkeypatch, caplog):
    settings = get_settings()
    monkeypatch.setattr(settings, "tickets_per_hour", 2)
    alert_to = f"admins-{uuid.uuid4().hex[:8]}@fernhill.example"
    monkeypatch.setattr(settings, "alert_email", alert_to)
    with webhook_receiver() as (url, received):
        monkeypatch.setattr(settings, "escalation_webhook_url", url)
        results = [escalate(conversation(), address=client()) for _ in range(4)]
        urgent = escalate(conversation(), "distress", address=client())
    assert [r.created for r in results] == [True, True, False, False]
    assert [r.refused for r in results[2:]] == ["ceiling", "ceiling"]
    assert urgent.created  # distress still reaches a person
    alerts = [body for body in received if body["type"] == "alert"]
    assert alerts == [{"type": "alert", "alert": "ticket_ceiling", "tickets_per_hour": 2, "window_seconds": 3600,
                       "effect": "non-urgent escalations are sent to the recruiting address"}]
    [message] = mail.outbox(to=alert_to)
    assert "More than 2 new tickets in an hour" in message["Subject"]
    assert [r.levelname for r in caplog.records if "ceiling crossed" in r.getMessage()] == ["ERROR"]


def test_notifications_are_batched_into_one_digest_per_window_or_per_batch(app_db, monkeypatch):
    settings = get_settings()
    notify_to = f"inbox-{uuid.uuid4().hex[:8]}@fernhill.example"
    monkeypatch.setattr(settings, "recruiter_notify_email", notify_to)
    monkeypatch.setattr(settings, "recruiter_notify_batch_seconds", 60)
    monkeypatch.setattr(settings, "recruiter_notify_batch_size", 4)
    with webhook_receiver() as (url, received):
        monkeypatch.setattr(settings, "escalation_webhook_url", url)
        first = escalate(conversation(), address=client())
        assert [b["type"] for b in received] == ["ticket.opened"] and received[0]["ticket_id"] == first.ticket_id
        waiting = [escalate(conversation(), "legal_threat", address=client()).ticket_id for _ in range(3)]
        assert len(received) == 1  # inside the window: they wait
        with session_scope() as db:
            assert notify.flush(db_session=db) == 0  # the window has not passed
        fourth = escalate(conversation(), "distress", address=client()).ticket_id  # four waiting: the digest goes now
        assert len(received) == 2
        digest = received[1]
        assert digest["type"] == "tickets.opened" and digest["count"] == 4
        assert [t["ticket_id"] for t in digest["tickets"]] == [*waiting, fourth]
        assert digest["by_priority"] == {"high": 3, "urgent": 1}
        last = escalate(conversation(), address=client()).ticket_id
        assert len(received) == 2
        with session_scope() as db:  # the delivery job, once the window has passed
            assert notify.flush(db_session=db, now=utcnow() + timedelta(seconds=61)) == 1
        assert received[2]["type"] == "ticket.opened" and received[2]["ticket_id"] == last
    subjects = [m["Subject"] for m in mail.outbox(limit=10, to=notify_to)]
    assert sorted(subjects) == sorted([f"[normal] New escalation #{first.ticket_id}: Asked for a person",
                                       "[urgent] 4 new escalations (1 urgent, 3 high)",
                                       f"[normal] New escalation #{last}: Asked for a person"])
    with session_scope() as db:
        assert db.scalar(select(func.count(Ticket.id)).where(Ticket.notified_at.is_(None))) == 0


def test_the_api_delivery_job_sends_the_waiting_digest_once_the_window_has_passed(app_db, monkeypatch):
    from assistant.escalation import delivery

    settings = get_settings()
    monkeypatch.setattr(settings, "recruiter_notify_batch_seconds", 0.5)
    with webhook_receiver() as (url, received):
        monkeypatch.setattr(settings, "escalation_webhook_url", url)
        first = escalate(conversation(), address=client()).ticket_id
        waiting = [escalate(conversation(), address=client()).ticket_id for _ in range(2)]
        assert [b.get("ticket_id") for b in received] == [first]
        time.sleep(0.6)
        assert delivery.deliver_once()["notified"] == 2
        assert delivery.deliver_once()["notified"] == 0  # claimed once, never sent twice
    assert [t["ticket_id"] for t in received[1]["tickets"]] == waiting
