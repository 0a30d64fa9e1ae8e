"""Candidate record end to end: real Rasa server (trained model), action server and API.

The candidates are created through the real ATS API; the chat goes through Rasa's REST channel.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
import pytest

from assistant.db import utcnow

pytestmark = pytest.mark.stack


def texts(replies: list[dict]) -> str:
    return " ".join(reply.get("text", "") for reply in replies)


@pytest.fixture(scope="module")
def people(stack):
    """Two candidates with applications (one in interviews, one in final round), imported over the ATS API."""
    tag = uuid.uuid4().hex[:6]
    key = {"X-API-Key": stack.settings.secret("ats_api_key")}
    now = utcnow()
    people = {
        "mia": {"external_id": f"C-E2E-{tag}-1", "first_name": "Mia", "email": f"mia.{tag}@example.com",
                "phone": "+49 151 23456789", "time_zone": "Europe/Berlin"},
        "leo": {"external_id": f"C-E2E-{tag}-2", "first_name": "Leo", "email": f"leo.{tag}@example.com", "time_zone": "America/Toronto"},
    }
    apps = [
        {"external_id": f"APP-E2E-{tag}-1", "candidate_external_id": people["mia"]["external_id"], "job_external_id": "FH-1020",
         "stage": "interviews", "applied_at": (now - timedelta(days=20)).isoformat(), "stage_changed_at": (now - timedelta(days=3)).isoformat()},
        {"external_id": f"APP-E2E-{tag}-2", "candidate_external_id": people["leo"]["external_id"], "job_external_id": "FH-1031",
         "stage": "final_round", "applied_at": (now - timedelta(days=40)).isoformat(), "stage_changed_at": (now - timedelta(days=15)).isoformat()},
    ]
    for path, rows in (("candidates", list(people.values())), ("applications", apps)):
        result = httpx.post(f"{stack.api_url}/api/ats/{path}", json=rows, headers=key, timeout=30).json()
        assert result["errors"] == [] and result["created"] == len(rows), result
    return people


def token_for(stack, external_id: str) -> dict:
    """Returns the metadata the career site sends for a signed-in candidate (the dev endpoint serves demo ids only)."""
    from assistant.identity import service as identity_service

    return {"candidate_token": identity_service.issue_token(candidate_external_id=external_id)}


@pytest.mark.parametrize("question", ["what's happening with my application?", "any news on my application",
                                      "can you tell me where I am in the hiring process"])
def test_a_verified_candidate_gets_the_right_stage(stack, people, question):
    replies = texts(stack.chat(f"e2e-status-{uuid.uuid4().hex}", question, token_for(stack, people["mia"]["external_id"])))
    assert "**Data Engineer**: Interviews." in replies
    assert "for 3 days" in replies and "Final round" not in replies  # Leo's application never shows


def test_an_unverified_question_gets_no_data(stack, people):
    replies = texts(stack.chat(f"e2e-anon-{uuid.uuid4().hex}", "what's happening with my application?"))
    assert "confirm it's you" in replies and "Interviews" not in replies


def test_a_verified_candidate_updates_the_phone_number_with_a_code_sent_to_the_record_email(stack, people):
    from assistant.candidates import service as candidates_service
    from assistant.db import session_scope

    from assistant import mail

    sender, mia_token = f"e2e-phone-{uuid.uuid4().hex}", token_for(stack, people["mia"]["external_id"])
    asked = texts(stack.chat(sender, "my new number is +44 7700 900123", mia_token))
    assert "I've sent a 6-digit code to the e-mail address we have for you" in asked
    with session_scope() as db:  # nothing changes before the code comes back
        assert candidates_service.get_by_external_id(db_session=db, external_id=people["mia"]["external_id"]).phone != "+447700900123"
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=people["mia"]["email"])[0].get_content()).group(1)
    assert "your phone number is now +447700900123" in texts(stack.chat(sender, code, mia_token))
    with session_scope() as db:
        mia = candidates_service.get_by_external_id(db_session=db, external_id=people["mia"]["external_id"])
        assert mia.phone == "+447700900123"


def test_one_time_code_round_trip_through_the_outbox(stack, people):
    from assistant import mail

    sender = f"e2e-otp-{uuid.uuid4().hex}"
    leo = people["leo"]
    assert "e-mail address you applied with" in texts(stack.chat(sender, "where is my application?"))
    assert "doesn't look like an e-mail address" in texts(stack.chat(sender, "leo at example dot com"))
    asked = texts(stack.chat(sender, leo["email"]))
    assert "If that address is in our records" in asked
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=leo["email"])[0].get_content()).group(1)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert "4 attempts left" in texts(stack.chat(sender, wrong))
    replies = texts(stack.chat(sender, code))
    assert "you're verified" in replies and "**Senior Backend Engineer**: Final round." in replies
    assert "a little longer than usual" in replies


def test_an_unknown_email_gets_the_same_reply_as_a_known_one(stack, people):
    def ask(email):
        sender = f"e2e-same-{uuid.uuid4().hex}"
        stack.chat(sender, "when is my interview")
        return texts(stack.chat(sender, email)).replace(email, "<email>")

    assert ask(people["leo"]["email"]) == ask(f"nobody.{uuid.uuid4().hex[:6]}@example.com")


def test_withdrawal_needs_confirmation(stack, people):
    sender = f"e2e-withdraw-{uuid.uuid4().hex}"
    meta = token_for(stack, people["leo"]["external_id"])
    replies = stack.chat(sender, "I want to withdraw my application", meta)
    assert "do you want to withdraw your application for **Senior Backend Engineer**" in texts(replies)
    assert [b["payload"] for r in replies for b in r.get("buttons", [])] == ["/affirm", "/deny"]
    assert "stays as it is" in texts(stack.chat(sender, "/deny"))


def test_a_new_email_is_confirmed_with_a_code_sent_to_it(stack, people):
    from assistant import mail
    from assistant.candidates import service as candidates_service
    from assistant.db import session_scope

    sender = f"e2e-email-{uuid.uuid4().hex}"
    meta = token_for(stack, people["mia"]["external_id"])
    new_email = f"mia.new.{uuid.uuid4().hex[:6]}@example.com"
    assert f"To make sure {new_email} is yours" in texts(stack.chat(sender, f"please change my email to {new_email}", meta))
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=new_email)[0].get_content()).group(1)
    assert f"your e-mail address is now {new_email}" in texts(stack.chat(sender, code))
    with session_scope() as db:
        assert candidates_service.get_by_external_id(db_session=db, external_id=people["mia"]["external_id"]).email == new_email


def _verify_by_code(stack, sender: str, email: str) -> str:
    from assistant import mail

    assert "e-mail address you applied with" in texts(stack.chat(sender, "where is my application?"))
    stack.chat(sender, email)
    code = re.search(r"\b(\d{6})\b", mail.outbox(limit=1, to=email)[0].get_content()).group(1)
    return texts(stack.chat(sender, code))


def test_a_verification_cannot_be_borrowed_by_knowing_the_conversation_id(stack, people):
    """Another browser (another window key, or none) writing with the same conversation id is a stranger."""
    sender = f"e2e-borrow-{uuid.uuid4().hex}"
    assert "Final round" in _verify_by_code(stack, sender, people["leo"]["email"])
    other_window = {"client_key": f"another-window-{uuid.uuid4().hex}"}
    borrowed = texts(stack.chat(sender, "where is my application?", other_window))
    assert "Before I share or change anything personal" in borrowed and "Final round" not in borrowed
    body = {"sender": sender, "message": "cancel", "metadata": {"client_key_hash": "0" * 64}}  # a hash is not a key
    forged = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=60).json()
    assert "Final round" not in texts(forged)
    stack.chat(sender, "cancel")
    assert "Final round" in texts(stack.chat(sender, "where is my application?"))  # the verified window still is


def test_a_verified_chat_left_idle_asks_again(stack, people):
    from assistant.db import session_scope
    from assistant.identity.models import ConversationIdentity

    sender = f"e2e-idle-{uuid.uuid4().hex}"
    assert "Final round" in _verify_by_code(stack, sender, people["leo"]["email"])
    with session_scope() as db:
        identity = db.get(ConversationIdentity, sender)
        identity.last_seen_at = utcnow() - timedelta(minutes=stack.settings.verification_idle_minutes, seconds=1)
    again = texts(stack.chat(sender, "where is my application?"))
    assert "Before I share or change anything personal" in again and "Final round" not in again
