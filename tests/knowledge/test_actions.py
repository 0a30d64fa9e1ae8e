"""The knowledge actions without a Rasa server: real index and service, the test's database session."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.knowledge as knowledge_actions
from assistant.knowledge.models import AnswerLog


@pytest.fixture(autouse=True)
def same_session(db_session, monkeypatch, served_index):
    """Actions open their own session; here they share the test's rolled-back one."""

    @contextmanager
    def scope():
        yield db_session
        db_session.flush()

    monkeypatch.setattr(knowledge_actions, "session_scope", scope)


def user(text: str, intent: str, entities: list | None = None) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.9},
                                                         "entities": entities or []}}


def tracker(*turns: dict, sender: str = "kb-conv-1", slots: dict | None = None) -> Tracker:
    latest = turns[-1]
    return Tracker.from_dict({
        "sender_id": sender, "slots": slots or {}, "paused": False, "followup_action": None,
        "active_loop": {}, "latest_action_name": "action_listen",
        "latest_message": {"text": latest["text"], **latest["parse_data"], "metadata": {}},
        "events": list(turns),
    })


async def run(action, tr: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tr, {})
    return events, dispatcher.messages


async def test_question_gets_a_cited_answer_with_feedback_buttons(db_session):
    events, messages = await run(knowledge_actions.ActionSearchKnowledge(),
                                 tracker(user("do you sponsor work visas for engineers?", "ask_question")))
    [message] = messages
    custom = message["custom"]["data"]
    assert custom["type"] == "cited_answer" and custom["feedback"] is True
    assert custom["source"]["url"] == "https://careers.fernhill.example/help/visa-sponsorship"
    assert custom["source"]["title"] and custom["source"]["section"]
    assert 0 < len(message["text"]) <= 600
    payload = message["buttons"][0]["payload"]
    assert payload.startswith("/answer_feedback") and json.loads(payload.removeprefix("/answer_feedback")) == {
        "answer_id": custom["answer_id"], "helpful": True}
    assert SlotSet("failed_turns", 0.0) in events
    entry = db_session.get(AnswerLog, custom["answer_id"])
    assert entry.decision == "answer" and entry.doc_path == "visa-sponsorship.md" and entry.conversation_id == "kb-conv-1"


async def test_out_of_scope_is_declined_honestly_and_counted(db_session):
    events, messages = await run(knowledge_actions.ActionSearchKnowledge(),
                                 tracker(user("give me a recipe for vegetarian lasagna", "nlu_fallback"),
                                         slots={"failed_turns": 1.0}))
    [message] = messages
    assert message["text"].startswith("I don't know that one")
    assert {"title": "Talk to a recruiter", "payload": "/request_human"} in message["buttons"]
    assert "custom" not in message or not message["custom"]
    # The second turn in a row the assistant cannot answer hands the conversation to a person.
    assert events == [SlotSet("failed_turns", 2.0), FollowupAction("action_escalate")]


async def test_a_first_decline_only_counts(db_session):
    events, _ = await run(knowledge_actions.ActionSearchKnowledge(),
                          tracker(user("give me a recipe for vegetarian lasagna", "nlu_fallback")))
    assert events == [SlotSet("failed_turns", 1.0)]


async def test_followup_uses_the_previous_question():
    _, messages = await run(knowledge_actions.ActionSearchKnowledge(), tracker(
        user("do you have internships?", "ask_question"), user("are they paid?", "ask_question")))
    assert messages[0]["custom"]["data"]["source"]["url"].endswith("/internships")


async def test_picked_did_you_mean_topic_answers_from_that_document():
    _, messages = await run(knowledge_actions.ActionSearchKnowledge(), tracker(
        user("how much time off do I get?", "ask_question"),
        user('/ask_question{"kb_doc": "parental-leave.md"}', "ask_question",
             [{"entity": "kb_doc", "value": "parental-leave.md"}])))
    assert messages[0]["custom"]["data"]["source"]["url"].endswith("/parental-leave")


async def test_feedback_buttons_and_typed_feedback_update_the_answer_log(db_session):
    _, messages = await run(knowledge_actions.ActionSearchKnowledge(),
                            tracker(user("how long does the hiring process take?", "ask_question")))
    answer_id = messages[0]["custom"]["data"]["answer_id"]
    feedback = knowledge_actions.ActionAnswerFeedback()
    _, replies = await run(feedback, tracker(user("/answer_feedback", "answer_feedback",
                                                  [{"entity": "answer_id", "value": answer_id}, {"entity": "helpful", "value": False}])))
    assert db_session.get(AnswerLog, answer_id).helpful is False
    assert {"title": "Talk to a recruiter", "payload": "/request_human"} in replies[0]["buttons"]
    await run(feedback, tracker(user("that was helpful", "answer_feedback"), slots={"kb_last_answer_id": answer_id}))
    entry = db_session.get(AnswerLog, answer_id)
    assert entry.helpful is True and entry.feedback_at is not None


async def test_feedback_from_another_conversation_is_refused(db_session):
    _, messages = await run(knowledge_actions.ActionSearchKnowledge(),
                            tracker(user("how long does the hiring process take?", "ask_question")))
    answer_id = messages[0]["custom"]["data"]["answer_id"]
    _, replies = await run(knowledge_actions.ActionAnswerFeedback(), tracker(
        user("/answer_feedback", "answer_feedback", [{"entity": "answer_id", "value": answer_id},
                                                     {"entity": "helpful", "value": False}]), sender="someone-else"))
    assert "couldn't match" in replies[0]["text"]
    assert db_session.get(AnswerLog, answer_id).helpful is None


def bot_answer(doc: str, section: str) -> dict:
    """A cited answer as the tracker records it (the action's custom payload)."""
    return {"event": "bot", "text": "…", "data": {"custom": {"data": {
        "type": "cited_answer", "answer_id": "x", "feedback": True,
        "source": {"title": "T", "url": "https://x.example", "section": section, "doc": doc}}}}}


async def test_a_follow_up_gets_a_section_not_shown_yet(db_session):
    first_events, [first] = await run(knowledge_actions.ActionSearchKnowledge(),
                                      tracker(user("do you offer parental leave?", "ask_question")))
    source = first["custom"]["data"]["source"]
    assert (source["doc"], source["section"]) == ("parental-leave.md", "How much parental leave you get")
    recorded = bot_answer(source["doc"], source["section"])
    _, [again] = await run(knowledge_actions.ActionSearchKnowledge(),
                           tracker(user("do you offer parental leave?", "ask_question"), recorded,
                                   user("and for fathers?", "ask_question")))
    other = again["custom"]["data"]["source"]
    assert other["doc"] == "parental-leave.md" and other["section"] != source["section"]
    assert again["text"] != first["text"]


@pytest.mark.parametrize("text", ["SELECT * FROM candidates WHERE email LIKE '%@%';", "asdfghjkl", "<script>alert(1)</script>", "#$%^&*"])
async def test_junk_is_declined_and_never_answered_from_an_article(db_session, text):
    events, [message] = await run(knowledge_actions.ActionSearchKnowledge(), tracker(user(text, "nlu_fallback")))
    assert message["text"] == ("I couldn't read that as a question, sorry. Please ask in a few words, for example "
                               "\"How long does the hiring process take?\"")
    assert not message.get("buttons") and not message.get("custom")
    assert events == []  # not a failed answer: junk does not hand the conversation to a recruiter
    assert db_session.query(AnswerLog).count() == 0


async def test_another_language_gets_the_notice_in_that_language(db_session):
    _, [message] = await run(knowledge_actions.ActionSearchKnowledge(),
                             tracker(user("Wie viele Urlaubstage bekomme ich?", "nlu_fallback")))
    assert message["text"] == ("Entschuldigung, ich kann bisher nur auf Englisch antworten. Bitte stellen Sie Ihre Frage "
                               "auf Englisch oder schreiben Sie unserem Recruiting-Team an recruiting@fernhill.example.")
    assert db_session.query(AnswerLog).count() == 0
