"""Knowledge answers through the real stack (Rasa server, action server, API): cited answers, honest declines,
and live edits of the Markdown served within 5 seconds without a restart or retrain."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from assistant.settings import get_settings

pytestmark = pytest.mark.stack
LIVE_DOC = get_settings().knowledge_dir / "bicycle-parking.md"  # tests/conftest.py: the stack serves a copy
LIVE_QUESTION = "is there bicycle parking at your offices?"
FRONT = ("---\ntitle: Bicycle parking at our offices\nurl: https://careers.fernhill.example/help/bicycle-parking\n"
         "tags: [bicycle, parking, commute]\nowner: workplace\nupdated: 2026-11-01\nlang: en\naudience: all\n---\n\n"
         "# Bicycle parking at our offices\n\n")


def cited(replies: list[dict]) -> dict | None:
    payloads = ((r.get("custom") or {}).get("data") or {} for r in replies)  # socket.io-safe shape: {"data": ...}
    return next((p for p in payloads if p.get("type") == "cited_answer"), None)


def text(replies: list[dict]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def ask_until(stack, question: str, expected: str, *, within: float) -> float:
    """Asks (a fresh conversation each time) until a reply contains expected; returns the seconds until that reply."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if expected in text(stack.chat(f"kb-live-{uuid.uuid4().hex}", question)):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{expected!r} not answered within {within}s")


def test_question_gets_a_cited_answer(stack):
    replies = stack.chat(f"kb-{uuid.uuid4().hex}", "do you sponsor work visas?")
    source = cited(replies)
    assert source is not None, replies
    assert source["source"]["url"] == "https://careers.fernhill.example/help/visa-sponsorship"
    assert source["feedback"] is True and source["answer_id"]
    assert "sponsor" in text(replies)
    buttons = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert any(p.startswith("/answer_feedback") and source["answer_id"] in p for p in buttons)


def test_thumbs_button_is_recorded(stack):
    sender = f"kb-{uuid.uuid4().hex}"
    answer_id = cited(stack.chat(sender, "how long does the hiring process take?"))["answer_id"]
    replies = stack.chat(sender, '/answer_feedback{"answer_id": "%s", "helpful": true}' % answer_id)
    assert "Thanks for letting me know" in text(replies)
    again = httpx.post(f"{stack.api_url}/api/knowledge/feedback",
                       json={"answer_id": answer_id, "conversation_id": sender, "helpful": False})
    assert again.status_code == 200 and again.json()["helpful"] is False


def test_a_question_the_articles_do_not_answer_is_declined_honestly(stack):
    sender = f"kb-{uuid.uuid4().hex}"
    replies = stack.chat(sender, "do you offer company cars to employees?")
    assert "I don't know that one" in text(replies)
    assert cited(replies) is None
    assert any(b["payload"] == "/request_human" for r in replies for b in r.get("buttons") or [])
    assert stack.tracker(sender)["slots"]["failed_turns"] == 1.0


def test_live_edit_is_answered_within_5_seconds_and_a_broken_file_keeps_the_old_index(stack):
    token = {"Authorization": f"Bearer {stack.settings.secret('reindex_token')}"}
    assert "bicycle cellar" not in text(stack.chat(f"kb-{uuid.uuid4().hex}", LIVE_QUESTION))
    try:
        LIVE_DOC.write_text(FRONT + "## Where to park\nEvery office has a locked bicycle cellar with 40 charging points for e-bikes.\n")
        added = ask_until(stack, LIVE_QUESTION, "40 charging points", within=5.0)
        assert added <= 5.0
        LIVE_DOC.write_text(FRONT + "## Where to park\nEvery office has a locked bicycle cellar with 60 charging points for e-bikes.\n")
        edited = ask_until(stack, LIVE_QUESTION, "60 charging points", within=5.0)
        assert edited <= 5.0  # measured when the reply arrived, not when it was asked
        print(f"new document answered after {added:.2f}s, edit after {edited:.2f}s")

        LIVE_DOC.write_text("# Bicycle parking\n\n## Where to park\nNo front matter here: 80 charging points.\n")
        time.sleep(2.0)  # the watcher has tried and refused to publish
        problems = httpx.get(f"{stack.api_url}/api/knowledge/check", headers=token).json()["problems"]
        assert {"path": "bicycle-parking.md", "line": 1,
                "message": "missing front matter: the file must start with a '---' line"} in problems
        reindex = httpx.post(f"{stack.api_url}/api/knowledge/reindex", headers=token)
        assert reindex.status_code == 422 and reindex.json()["detail"]["problems"][0]["path"] == "bicycle-parking.md"
        replies = text(stack.chat(f"kb-{uuid.uuid4().hex}", LIVE_QUESTION))
        assert "60 charging points" in replies and "80 charging points" not in replies
    finally:
        LIVE_DOC.unlink(missing_ok=True)
    ask_until(stack, "do you sponsor work visas?", "sponsor", within=5.0)


def test_parental_leave_answers_the_leave_and_the_follow_up_another_section(stack):
    sender = f"kb-parental-{uuid.uuid4().hex}"
    first = cited(stack.chat(sender, "do you offer parental leave?"))
    assert first["source"]["section"] == "How much parental leave you get"
    again = cited(stack.chat(sender, "and for fathers?"))
    assert again["source"]["doc"] == "parental-leave.md" and again["source"]["section"] != first["source"]["section"]


def test_pto_is_answered_from_the_vacation_section(stack):
    answer = cited(stack.chat(f"kb-pto-{uuid.uuid4().hex}", "how much PTO do I get?"))
    assert (answer["source"]["doc"], answer["source"]["section"]) == ("time-off-and-holidays.md", "Annual vacation days")


@pytest.mark.parametrize("message", ["SELECT * FROM candidates WHERE email LIKE '%@%';"])
def test_junk_gets_one_honest_reply_through_the_stack(stack, message):
    replies = stack.chat(f"kb-junk-{uuid.uuid4().hex}", message)
    assert [r.get("text") for r in replies] == [
        "I couldn't read that as a question, sorry. Please ask in a few words, for example "
        "\"How long does the hiring process take?\""]


def test_a_german_question_gets_the_german_notice_through_the_stack(stack):
    replies = stack.chat(f"kb-de-{uuid.uuid4().hex}", "Bieten Sie Elternzeit an?")
    assert [r.get("text") for r in replies] == [
        "Entschuldigung, ich kann bisher nur auf Englisch antworten. Bitte stellen Sie Ihre Frage auf Englisch "
        f"oder schreiben Sie unserem Recruiting-Team an {get_settings().recruiting_email}."]
