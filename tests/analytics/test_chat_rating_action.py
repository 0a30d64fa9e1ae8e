"""The chat rating's answer (the button's entity, else a number from 1 to 5 or a skip in the typed words) and
its optional comment: any text is the comment, a whole "no"/"skip" skips it; stored masked, once, after a rating."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.feedback as feedback_actions
from actions.feedback import rating_value
from assistant.analytics import feedback
from assistant.audit.models import AuditEntry
from assistant.candidates.models import Candidate


def _tracker(text: str, entities: list[dict] | None = None, slots: dict | None = None, sender: str = "rating-1") -> Tracker:
    return Tracker.from_dict({"sender_id": sender, "slots": slots or {}, "paused": False, "followup_action": None,
                              "active_loop": {}, "latest_action_name": "action_listen", "events": [],
                              "latest_message": {"text": text, "entities": entities or [],
                                                 "intent": {"name": "rate_chat", "confidence": 0.9}}})


@pytest.mark.parametrize(("text", "entities", "value"), [
    ('/rate_chat{"rating": "4"}', [{"entity": "rating", "value": "4"}], "4"),
    ('/rate_chat{"rating": "skip"}', [{"entity": "rating", "value": "skip"}], "skip"),
    ("I'd give it 5 stars", [], "5"),
    ("4 out of 5", [], "4"),
    ("1 star, not helpful", [], "1"),
    ("skip", [], "skip"),
    ("Skip the rating, please", [], "skip"),
    ("I'd rather not rate it", [], "skip"),
    ("ten out of ten", [], ""),
    ("I give it 9", [], ""),
    ('/rate_chat{"rating": "9"}', [{"entity": "rating", "value": "9"}], "9"),  # asked again by the action
])
def test_rating_value(text, entities, value):
    assert rating_value(_tracker(text, entities)) == value


@pytest.mark.parametrize(("text", "skips"), [
    ("no", True), ("No thanks!", True), ("skip", True), ("nothing", True), ("/deny", True), ("bye", True),
    ("No, it was great", False), ("The answers about visas were out of date", False), ("skip the small talk", False),
])
def test_a_whole_skip_answer_skips_the_comment_and_anything_else_is_the_comment(text, skips):
    dispatcher = CollectingDispatcher()
    result = feedback_actions.ValidateChatCommentForm().validate_chat_comment(text, dispatcher, _tracker(text), {})
    assert result == {"chat_comment": "skip" if skips else text}
    assert dispatcher.messages == []


def test_a_comment_too_long_is_asked_again_without_losing_the_form():
    dispatcher = CollectingDispatcher()
    text = "x" * (feedback.MAX_COMMENT_CHARS + 1)
    assert feedback_actions.ValidateChatCommentForm().validate_chat_comment(text, dispatcher, _tracker(text), {}) == {
        "chat_comment": None}
    assert [m["text"] for m in dispatcher.messages] == [feedback_actions.COMMENT_TOO_LONG_TEXT]


@pytest.fixture
def same_session(db_session, monkeypatch):
    @contextmanager
    def scope():
        yield db_session
        db_session.flush()

    monkeypatch.setattr(feedback_actions, "session_scope", scope)
    return db_session


async def _run(action, tracker: Tracker) -> tuple[list[str], dict]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return [m["text"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_a_rating_offers_the_comment_a_skip_a_second_rating_or_a_stray_skip_do_not(same_session):
    record = feedback_actions.ActionRecordChatRating()
    offered = {"chat_rating_offered": True}
    assert await _run(record, _tracker("skip", slots={})) == (["Okay."], {"chat_comment_wanted": False})  # not asked
    assert feedback.get_chat_rating(db_session=same_session, conversation_id="rating-1") is None
    assert await _run(record, _tracker("4 out of 5", slots=offered)) == (
        [feedback_actions.THANKS_TEXT], {"chat_rating_offered": True, "chat_comment_wanted": True})
    assert await _run(record, _tracker("5 stars", slots=offered)) == (
        [feedback_actions.ALREADY_TEXT], {"chat_rating_offered": True, "chat_comment_wanted": False})
    assert await _run(record, _tracker("skip", slots=offered)) == (["Okay."], {"chat_comment_wanted": False})
    assert await _run(record, _tracker("skip", slots=offered, sender="rating-2")) == (
        [feedback_actions.SKIPPED_TEXT], {"chat_rating_offered": True, "chat_comment_wanted": False})
    assert feedback.get_chat_rating(db_session=same_session, conversation_id="rating-2").rating is None


async def test_the_comment_is_stored_masked_once_and_audited(same_session):
    candidate = Candidate(external_id="C-COMMENT", first_name="Ana", last_name="Comment", email="ana@example.com")
    same_session.add(candidate)
    same_session.flush()
    feedback.record_chat_rating(db_session=same_session, conversation_id="comment-1", rating=2, candidate_id=candidate.id)
    comment = "Mail me at ana@example.com or call 0151 2345 6789, the visa answer was wrong"
    texts, slots = await _run(feedback_actions.ActionRecordChatComment(),
                              _tracker(comment, slots={"chat_comment": comment}, sender="comment-1"))
    assert (texts, slots) == ([feedback_actions.COMMENT_THANKS_TEXT], {"chat_comment": None, "chat_comment_wanted": False})
    stored = feedback.get_chat_rating(db_session=same_session, conversation_id="comment-1").comment
    assert "ana@example.com" not in stored and "2345" not in stored and stored.endswith("the visa answer was wrong")
    feedback.record_chat_comment(db_session=same_session, conversation_id="comment-1", comment="a second one")
    assert feedback.get_chat_rating(db_session=same_session, conversation_id="comment-1").comment == stored
    [entry] = same_session.scalars(select(AuditEntry).where(AuditEntry.entity == "chat_rating")).all()
    assert (entry.action, entry.candidate_id, entry.fields) == ("update", candidate.id, ["comment"])
    texts, _ = await _run(feedback_actions.ActionRecordChatComment(), _tracker("no", slots={"chat_comment": "skip"}))
    assert texts == [feedback_actions.COMMENT_SKIPPED_TEXT]


def test_no_comment_without_a_rating_or_after_a_skip(db_session):
    assert feedback.record_chat_comment(db_session=db_session, conversation_id="none", comment="hello") is None
    feedback.record_chat_rating(db_session=db_session, conversation_id="skipped", rating=None)
    assert feedback.record_chat_comment(db_session=db_session, conversation_id="skipped", comment="hello").comment == ""
    with pytest.raises(feedback.FeedbackError, match="comment: at most 1000"):
        feedback.record_chat_comment(db_session=db_session, conversation_id="skipped", comment="x" * 1001)
