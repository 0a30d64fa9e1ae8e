"""Measurement and compliance through the real stack: Rasa server with the trained model, action server, API.

- the chat rating is offered once after goodbye, recorded from its button, and the conversation's outcome is
  classified (contained, escalated with its reason);
- the analytics API, signed in as a lead, returns the true values of demo data generated with known counts;
- a switched-off AI feature answers honestly in the chat;
- a candidate created over the ATS API chats, then the privacy team erases them over the API: nothing is left
  in the database or in Rasa's tracker store.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import select

from actions.feedback import COMMENT_TEXT, COMMENT_THANKS_TEXT, OFFER_TEXT
from actions.oversight import OFF_TEXTS
from assistant.analytics import conversations, demo, feedback, metrics
from assistant.analytics.conversations import events_table
from assistant.audit.models import AuditEntry
from assistant.db import make_engine, session_scope
from assistant.identity import service as identity_service
from assistant.oversight import service as oversight_service
from tests.inbox.conftest import PASSWORD, api_account, app_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.stack
GOODBYE = "Thanks for stopping by, and good luck! Come back any time."
DEMO_NOW = datetime(2024, 3, 15, tzinfo=timezone.utc)  # far from every other test's data


def _texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") for reply in replies]


def _signed_in(stack, email: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.api_url, timeout=60)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/inbox"}).status_code in (200, 303)
    return client


def test_chat_rating_is_offered_once_after_goodbye_and_recorded(stack):
    sender = f"rating-{uuid.uuid4().hex}"
    assert _texts(stack.chat(sender, "what can you do for me?"))[0].startswith("I can answer questions")
    bye = stack.chat(sender, "bye bye")
    assert _texts(bye) == [GOODBYE, OFFER_TEXT]
    assert [b["title"] for b in bye[1]["buttons"]] == ["★", "★★", "★★★", "★★★★", "★★★★★", "Skip"]
    assert _texts(stack.chat(sender, bye[1]["buttons"][3]["payload"])) == ["Thanks for rating this chat!", COMMENT_TEXT]
    assert _texts(stack.chat(sender, "Too slow. Write to me at nia@example.com")) == [COMMENT_THANKS_TEXT]
    assert _texts(stack.chat(sender, "goodbye")) == [GOODBYE]  # offered once per conversation, the comment too
    skipper = f"rating-skip-{uuid.uuid4().hex}"
    skip = stack.chat(skipper, "thanks")
    assert _texts(skip) == ["You're welcome! Anything else I can help with?", OFFER_TEXT]
    assert _texts(stack.chat(skipper, skip[1]["buttons"][5]["payload"])) == ["No problem."]
    with session_scope() as db:
        rated = feedback.get_chat_rating(db_session=db, conversation_id=sender)
        assert (rated.rating, rated.comment) == (4, "Too slow. Write to me at [e-mail]")
        assert feedback.get_chat_rating(db_session=db, conversation_id=skipper).rating is None
        human = f"escalate-{uuid.uuid4().hex}"
        stack.chat(human, "I want to talk to a human")
        today = metrics.last_days(1)
        found = {c.conversation_id: c for c in conversations.conversations(
            db_session=db, tracker_store_url=stack.settings.tracker_store_url, start=today.start, end=today.end + timedelta(minutes=1))}
    assert found[sender].outcome == "contained" and found[skipper].outcome == "contained"
    assert (found[human].outcome, found[human].reason) == ("escalated", "request_human")


def test_analytics_api_returns_the_true_values_of_the_demo_data(stack, api_account):  # noqa: F811
    with session_scope() as db:
        demo.load(db_session=db, tracker_store_url=stack.settings.tracker_store_url, now=DEMO_NOW)
    lead = _signed_in(stack, api_account("lead"))
    summary = lead.get("/api/analytics/summary", params={"from": "2024-03-01", "to": "2024-03-14"}).json()
    for side, spec in ((summary, demo.CURRENT), (summary["baseline"], demo.BASELINE)):
        truth = demo.expected(spec)
        for key in metrics.SUMMARY_KEYS:
            assert side[key] == pytest.approx(truth[key]), key
    report = lead.get("/api/analytics/report", params={"from": "2024-03-01", "to": "2024-03-14", "department": "Care"}).json()
    truth = demo.expected(demo.CURRENT, department="Care")
    assert report["current"]["escalation_by_reason"] == truth["escalation_by_reason"]
    assert {s["stage"]: s["applications"] for s in report["current"]["funnel"]
            if s["stage"] in truth["funnel"]} == truth["funnel"]
    assert report["current"]["offer_acceptance_rate"] == pytest.approx(truth["offer_acceptance_rate"])
    page = lead.get("/inbox/analytics", params={"from": "2024-03-01", "to": "2024-03-14"})
    assert page.status_code == 200 and 'id="analytics-data"' in page.text and "<script>" not in page.text
    assert httpx.get(f"{stack.api_url}/static/chartjs/chart.umd.min.js").status_code == 200


def test_switched_off_knowledge_answers_say_so_in_the_chat(stack):
    with session_scope() as db:
        oversight_service.set_enabled(db_session=db, feature="knowledge_answers", enabled=False, changed_by="test")
    try:
        replies = stack.chat(f"switch-{uuid.uuid4().hex}", "how long does the hiring process take?")
    finally:
        with session_scope() as db:
            oversight_service.set_enabled(db_session=db, feature="knowledge_answers", enabled=True, changed_by="test")
    assert _texts(replies) == [OFF_TEXTS["knowledge_answers"]]
    assert replies[0]["buttons"] == [{"title": "Talk to a recruiter", "payload": "/request_human"}]


def test_privacy_team_erases_a_candidate_who_chatted_and_nothing_is_left(stack, api_account):  # noqa: F811
    tag = uuid.uuid4().hex[:6]
    key = {"X-API-Key": stack.settings.secret("ats_api_key")}
    person = {"external_id": f"C-ERASE-{tag}", "first_name": f"Erin{tag}", "email": f"erin.{tag}@example.com"}
    application = {"external_id": f"APP-ERASE-{tag}", "candidate_external_id": person["external_id"], "job_external_id": "FH-1020",
                   "stage": "under_review", "applied_at": "2026-11-01T09:00:00Z"}
    for path, row in (("candidates", person), ("applications", application),
                      ("self-identification", {"candidate_external_id": person["external_id"], "sex": "female", "race_ethnicity": "asian"})):
        assert httpx.post(f"{stack.api_url}/api/ats/{path}", json=[row], headers=key, timeout=30).json()["created"] == 1
    sender = f"erase-{tag}"
    token = {"candidate_token": identity_service.issue_token(candidate_external_id=person["external_id"])}
    assert any("Under review" in (t or "") for t in _texts(stack.chat(sender, "where is my application?", token)))
    stack.chat(sender, "bye", token)
    assert stack.tracker(sender)["events"]

    privacy = _signed_in(stack, api_account("privacy"))
    csrf = privacy.get("/api/me").json()["csrf_token"]
    exported = privacy.get(f"/api/privacy/candidates/{person['external_id']}/export")
    assert exported.status_code == 200 and sender in exported.json()["conversations"]
    assert {"candidate", "application", "self_identification", "conversation_identity", "audit_entry"} <= set(exported.json()["tables"])
    assert privacy.post(f"/api/privacy/candidates/{person['external_id']}/erase", json={"confirm": "wrong"},
                        headers={"X-CSRF-Token": csrf}).status_code == 422
    erased = privacy.post(f"/api/privacy/candidates/{person['external_id']}/erase", json={"confirm": person["external_id"]},
                          headers={"X-CSRF-Token": csrf})
    assert erased.status_code == 200 and erased.json()["conversations"] >= 1

    engine = make_engine(stack.settings.tracker_store_url)
    with engine.connect() as connection:
        left = connection.execute(select(events_table.c.id).where(events_table.c.sender_id == sender)).all()
    engine.dispose()
    assert left == []
    assert [e for e in stack.tracker(sender)["events"] if e.get("event") in ("user", "bot")] == []
    with session_scope() as db:
        from assistant.db import Base, import_all_models
        from sqlalchemy import JSON, String, Text

        import_all_models()
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, (String, Text, JSON)):
                    for marker in (person["external_id"], person["email"], person["first_name"]):
                        assert not db.execute(select(table).where(column.cast(Text).contains(marker))).all(), (table.name, column.name)
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "erase").order_by(AuditEntry.id.desc())).first()
        assert entry.candidate_id is None and "rasa_tracker" in entry.fields
    assert privacy.get(f"/api/privacy/candidates/{person['external_id']}/export").status_code == 404
    assert json.dumps(erased.json()).count(person["email"]) == 0
