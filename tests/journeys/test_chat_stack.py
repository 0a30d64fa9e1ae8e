"""Journey chat messages through the real stack (Rasa server with the trained model, action server, database):
pushed into an open conversation with the journey's id, kept for the next visit otherwise, and "why did I get
this?" answered with the journey's reason. The scheduler runs in the test process at a moved time, on a copy of
the 2-hour reminder limited to this test's candidates (language "xx"), so no demo candidate gets anything."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from assistant.candidates.models import Application, Candidate, Interview
from assistant.db import as_utc, session_scope
from assistant.identity import service as identity_service
from assistant.journeys import definitions, scheduler
from tests.conversations.runner import clone_candidate
from tests.journeys.conftest import ROOT

pytestmark = pytest.mark.usefixtures("stack")


@pytest.fixture(scope="module")
def reminder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("journeys")
    text = (ROOT / "journeys" / "interview-reminder-2h.yml").read_text()
    (folder / "interview-reminder-2h.yml").write_text(text + "conditions:\n  languages: [xx]\n")
    loaded = definitions.load(folder)
    assert not loaded.problems
    return loaded


def _clone() -> tuple[str, object]:
    external_id, _email = clone_candidate("C-1001", tag=uuid.uuid4().hex[:8])
    with session_scope() as db:
        candidate = db.scalar(select(Candidate).where(Candidate.external_id == external_id))
        candidate.language = "xx"
        at = db.scalar(select(Interview.scheduled_at).join(Application).where(Application.candidate_id == candidate.id,
                                                                             Interview.kind == "video"))
    return external_id, as_utc(at)


def _meta(external_id: str) -> dict:
    return {"candidate_token": identity_service.issue_token(candidate_external_id=external_id)}


def _texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") for reply in replies]


def test_a_journey_message_reaches_the_open_chat_and_why_did_i_get_this_gives_its_reason(stack, reminder):
    external_id, interview_at = _clone()
    sender = f"journey-{uuid.uuid4().hex[:8]}"
    assert _texts(stack.chat(sender, "hi", _meta(external_id)))[0] == "Hi Maya! 👋"
    counts = scheduler.tick(now=interview_at - timedelta(hours=2), journeys=reminder, worker="stack-test", replan=True)
    assert counts.get("sent") == 1
    bots = [e for e in stack.tracker(sender)["events"] if e["event"] == "bot"]
    assert bots[-1]["text"].startswith("Reminder: your video interview for Data Engineer starts at")
    assert bots[-1]["metadata"]["journey_id"] == "interview-reminder-2h"
    replies = stack.chat(sender, "why did I get this?", _meta(external_id))
    reason = reminder.get("interview-reminder-2h").journey.reason.strip()
    assert _texts(replies) == [
        f"That was an automated message (\u201cInterview reminder, 2 hours before\u201d). {reason}",
        "It is not a decision about your application: people make those. To stop this kind of message, use the "
        "\"Stop\" link at the end of the e-mail.",
    ]


def test_a_journey_message_with_no_open_chat_is_shown_on_the_next_visit_once(stack, reminder):
    external_id, interview_at = _clone()
    counts = scheduler.tick(now=interview_at - timedelta(hours=2), journeys=reminder, worker="stack-test", replan=True)
    assert counts.get("sent") == 1
    usual = _texts(stack.chat(f"journey-{uuid.uuid4().hex[:8]}", "hi", _meta("C-1008")))
    first = _texts(stack.chat(f"journey-{uuid.uuid4().hex[:8]}", "hi", _meta(external_id)))
    assert first[0] == "Hi Maya! 👋" and first[1].startswith("Reminder: your video interview for Data Engineer")
    assert first[2:] == usual[1:]  # then the usual greeting, nothing else
    again = _texts(stack.chat(f"journey-{uuid.uuid4().hex[:8]}", "hi", _meta(external_id)))
    assert again == ["Hi Maya! 👋", *usual[1:]]


def test_why_did_i_get_this_without_any_journey_message_says_so(stack):
    replies = stack.chat(f"journey-{uuid.uuid4().hex[:8]}", "why did you send me this email?")
    assert _texts(replies) == [
        "I haven't sent you any automated message that I know of. If you got an e-mail from us, the \"Stop\" links "
        "at its end turn that kind of message off, and a recruiter can tell you more."]
