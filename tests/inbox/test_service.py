"""Ticket operations on the database (SQLite and PostgreSQL): one open ticket, the queue, recruiter actions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from assistant import rasa_client
from assistant.db import utcnow
from assistant.inbox import service as inbox_service
from assistant.inbox import staff as staff_service
from assistant.inbox.models import Ticket, TicketMessage


def open_ticket(db_session, priority="normal", due_in_hours=4.0, reason="request_human", conversation_id=None):
    ticket, _ = inbox_service.open_ticket(
        db_session=db_session, conversation_id=conversation_id or f"conv-{uuid.uuid4().hex}", reason=reason,
        priority=priority, due_at=utcnow() + timedelta(hours=due_in_hours), trigger_message="help", transcript=[],
    )
    return ticket


def test_a_conversation_never_has_two_open_tickets(db_session):
    first, created = inbox_service.open_ticket(db_session=db_session, conversation_id="c-1", reason="distress",
                                               priority="urgent", due_at=utcnow(), trigger_message="a", transcript=[])
    second, created_again = inbox_service.open_ticket(db_session=db_session, conversation_id="c-1", reason="request_human",
                                                      priority="normal", due_at=utcnow(), trigger_message="b", transcript=[])
    assert created and not created_again and first.id == second.id
    with pytest.raises(IntegrityError):  # the database itself refuses a second open ticket
        with db_session.begin_nested():
            db_session.add(Ticket(conversation_id="c-1", open_conversation_id="c-1", reason="x", priority="normal",
                                  due_at=utcnow(), transcript=[]))
            db_session.flush()


def test_after_closing_a_conversation_can_escalate_again(db_session, make_staff, monkeypatch):
    monkeypatch.setattr(rasa_client, "append_events", lambda **kwargs: {"events": []})
    user = make_staff()
    ticket = open_ticket(db_session, conversation_id="c-2")
    inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=True)
    assert ticket.status == "resolved" and ticket.open_conversation_id is None and ticket.closed_at is not None
    again = open_ticket(db_session, conversation_id="c-2")
    assert again.id != ticket.id


def test_queue_is_sorted_by_priority_then_due_time_and_filters(db_session, make_staff):
    me, other = make_staff(), make_staff(name="Alex Other")
    late_normal = open_ticket(db_session, "normal", due_in_hours=-1)
    soon_normal = open_ticket(db_session, "normal", due_in_hours=1, reason="data_request")
    urgent = open_ticket(db_session, "urgent", due_in_hours=5, reason="distress")
    high = open_ticket(db_session, "high", due_in_hours=2)
    inbox_service.claim(db_session=db_session, ticket=high, user=me)
    inbox_service.assign(db_session=db_session, ticket=soon_normal, assignee=other, by=me)
    ids = [t.id for t in inbox_service.list_queue(db_session=db_session, user=me)]
    mine = [urgent.id, high.id, late_normal.id, soon_normal.id]
    assert [i for i in ids if i in mine] == mine
    assert [t.id for t in inbox_service.list_queue(db_session=db_session, user=me, mine=True)] == [high.id]
    unassigned = {t.id for t in inbox_service.list_queue(db_session=db_session, user=me, unassigned=True)}
    assert {urgent.id, late_normal.id} <= unassigned and not {high.id, soon_normal.id} & unassigned
    overdue = {t.id for t in inbox_service.list_queue(db_session=db_session, user=me, overdue=True)}
    assert late_normal.id in overdue and urgent.id not in overdue
    by_reason = {t.reason for t in inbox_service.list_queue(db_session=db_session, user=me, reason="distress")}
    assert by_reason == {"distress"}


def test_priority_note_and_bad_input(db_session, make_staff):
    user = make_staff()
    ticket = open_ticket(db_session)
    inbox_service.set_priority(db_session=db_session, ticket=ticket, priority="high", by=user)
    assert ticket.priority == "high"
    with pytest.raises(inbox_service.InboxError, match="priority"):
        inbox_service.set_priority(db_session=db_session, ticket=ticket, priority="critical", by=user)
    note = inbox_service.add_note(db_session=db_session, ticket=ticket, body="  called her back  ", by=user)
    assert (note.author_type, note.delivery, note.body) == ("note", "internal", "called her back")
    with pytest.raises(inbox_service.InboxError, match="body"):
        inbox_service.add_note(db_session=db_session, ticket=ticket, body="   ", by=user)
    with pytest.raises(inbox_service.InboxError, match="at most"):
        inbox_service.reply(db_session=db_session, ticket=ticket, body="x" * 5000, by=user)


def test_content_owner_cannot_hold_tickets(db_session, make_staff):
    recruiter, owner = make_staff(), make_staff(role="content_owner")
    ticket = open_ticket(db_session)
    with pytest.raises(inbox_service.InboxError, match="assignee"):
        inbox_service.assign(db_session=db_session, ticket=ticket, assignee=owner, by=recruiter)
    assert not staff_service.can_read_tickets(owner) and staff_service.can_read_tickets(recruiter)


def test_reply_is_kept_pending_while_rasa_is_down_then_delivered(db_session, make_staff, monkeypatch):
    user = make_staff()
    ticket = open_ticket(db_session)

    def down(**kwargs):
        raise rasa_client.RasaUnavailable("down")

    monkeypatch.setattr(rasa_client, "append_events", down)
    message = inbox_service.reply(db_session=db_session, ticket=ticket, body="I'll call you at 3", by=user)
    assert message.delivery == "pending" and ticket.status == "claimed" and ticket.assignee_id == user.id

    sent: list[dict] = []
    monkeypatch.setattr(rasa_client, "append_events", lambda **kwargs: sent.append(kwargs) or {"events": []})
    assert inbox_service.deliver_pending_replies(db_session=db_session) >= 1
    assert message.delivery == "chat"
    [push] = [s for s in sent if s["conversation_id"] == ticket.conversation_id]
    assert push["events"] == [{"event": "bot", "text": "I'll call you at 3", "metadata": {"from": "recruiter", "name": "Sam"},
                               "data": {"custom": {"data": {"type": "handoff", "state": "live", "name": "Sam"}}}}]


def test_reply_also_goes_by_email_when_the_candidate_has_left(db_session, make_staff, monkeypatch):
    from assistant import mail

    user = make_staff()
    ticket = open_ticket(db_session)
    ticket.candidate_email = f"left-{uuid.uuid4().hex[:6]}@example.org"
    long_ago = (utcnow() - timedelta(hours=1)).timestamp()
    monkeypatch.setattr(rasa_client, "append_events",
                        lambda **kwargs: {"events": [{"event": "user", "text": "hi", "timestamp": long_ago}]})
    message = inbox_service.reply(db_session=db_session, ticket=ticket, body="We can offer a later slot.", by=user)
    assert message.delivery == "chat+email"
    [email] = mail.outbox(to=ticket.candidate_email)
    assert "We can offer a later slot." in email.get_content()

    monkeypatch.setattr(rasa_client, "append_events",
                        lambda **kwargs: {"events": [{"event": "user", "text": "hi", "timestamp": utcnow().timestamp()}]})
    present = inbox_service.reply(db_session=db_session, ticket=ticket, body="Still there?", by=user)
    assert present.delivery == "chat"


def test_closed_tickets_refuse_changes(db_session, make_staff, monkeypatch):
    monkeypatch.setattr(rasa_client, "append_events", lambda **kwargs: {"events": []})
    user = make_staff()
    ticket = open_ticket(db_session)
    inbox_service.resolve(db_session=db_session, ticket=ticket, by=user, hand_back=False)
    with pytest.raises(inbox_service.TicketClosed):
        inbox_service.reply(db_session=db_session, ticket=ticket, body="hello?", by=user)
    assert db_session.query(TicketMessage).filter_by(ticket_id=ticket.id, author_type="recruiter").count() == 0


def test_staff_accounts(db_session):
    user = staff_service.create(db_session=db_session, email="New.Person@Fernhill.example", name="New Person",
                                role="admin", password="long-enough-pw")
    assert user.email == "new.person@fernhill.example" and user.password_hash.startswith("$argon2")
    assert staff_service.authenticate(db_session=db_session, email="new.person@fernhill.example", password="long-enough-pw")
    assert staff_service.authenticate(db_session=db_session, email="new.person@fernhill.example", password="wrong") is None
    assert staff_service.authenticate(db_session=db_session, email="nobody@fernhill.example", password="x") is None
    for kwargs, field in ((dict(email="bad"), "email"), (dict(role="boss"), "role"), (dict(password="short"), "password"),
                          (dict(email="new.person@fernhill.example"), "already")):
        args = {"email": "ok@fernhill.example", "name": "Ok", "role": "recruiter", "password": "long-enough-pw", **kwargs}
        with pytest.raises(staff_service.StaffError, match=field):
            staff_service.create(db_session=db_session, **args)
    user.active = False
    assert staff_service.authenticate(db_session=db_session, email="new.person@fernhill.example", password="long-enough-pw") is None
