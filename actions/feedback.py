"""The one-question chat rating: offered once per conversation after goodbye or thanks, skippable; after a
rating, one optional comment (chat_comment_form, one from_text slot), skippable too."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TypedValuesOnly, conversation_id, latest_text, metadata, validation_spoke
from actions.knowledge import entity
from assistant.analytics import feedback
from assistant.db import session_scope
from assistant.identity import service as identity_service

# Offered after "thanks" too, when the bot has just asked "Anything else?": so no "before you go" and no farewell.
OFFER_TEXT = "How would you rate this chat, from 1 (poor) to 5 (great)? You can skip this."
SKIP = "skip"
THANKS_TEXT = "Thanks for rating this chat!"
SKIPPED_TEXT = "No problem."
STRAY_SKIP_TEXT = "Okay."  # "skip" when no rating is asked: what a stray "no" gets
ALREADY_TEXT = "You have already rated this chat. Thank you!"
ASK_AGAIN_TEXT = "Please pick 1 to 5 stars, or skip."
COMMENT_TEXT = "Anything you'd like to tell us? You can also skip."
COMMENT_THANKS_TEXT = "Thank you! We read every comment to make this assistant better."
COMMENT_SKIPPED_TEXT = "No problem. Thanks again for rating!"
COMMENT_TOO_LONG_TEXT = (f"That's more than {feedback.MAX_COMMENT_CHARS} characters. Could you shorten it? "
                         "You can also skip.")
SKIP_COMMENT_BUTTON = {"title": "Skip", "payload": "/deny"}
TYPED = re.compile(r"\b([1-5])\b(?!\s*(?:%|percent))")


def rating_value(tracker: Tracker) -> str:
    """Returns "1".."5", "skip" or "" from the button's entity, else from typed words ("4 out of 5", "skip")."""
    value = str(entity(tracker, "rating") or "").strip().lower()
    if value:
        return value
    text = latest_text(tracker)
    if text.startswith("/"):
        return ""
    found = TYPED.search(text)
    if found:
        return found.group(1)
    return SKIP if feedback.mentions_skip(text) else ""


def rating_buttons() -> list[dict[str, str]]:
    return ([{"title": "★" * n, "payload": "/rate_chat" + json.dumps({"rating": str(n)})} for n in range(1, 6)]
            + [{"title": "Skip", "payload": "/rate_chat" + json.dumps({"rating": SKIP})}])


class ActionOfferChatRating(Action):
    """Asks for the rating once per conversation (never again after an answer or a skip)."""

    def name(self) -> str:
        return "action_offer_chat_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("chat_rating_offered"):
            return []
        with session_scope() as db:
            if feedback.get_chat_rating(db_session=db, conversation_id=conversation_id(tracker)) is not None:
                return []
        dispatcher.utter_message(text=OFFER_TEXT, buttons=rating_buttons())
        return [SlotSet("chat_rating_offered", True)]


class ActionRecordChatRating(Action):
    """Stores the first rating (or skip) of the conversation and thanks the candidate; a later one is not taken.

    Sets chat_comment_wanted: True after a first rating (the comment form follows), else False."""

    def name(self) -> str:
        return "action_record_chat_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = rating_value(tracker)
        no_comment = [SlotSet("chat_comment_wanted", False)]
        with session_scope() as db:
            rated = feedback.get_chat_rating(db_session=db, conversation_id=conversation_id(tracker)) is not None
            if value == SKIP and (rated or not tracker.get_slot("chat_rating_offered")):
                dispatcher.utter_message(text=STRAY_SKIP_TEXT)  # nothing is asked, so nothing to skip
                return no_comment
            if rated:
                dispatcher.utter_message(text=ALREADY_TEXT)  # once per conversation: a second answer is not taken
                return [SlotSet("chat_rating_offered", True), *no_comment]
            if value != SKIP and value not in {"1", "2", "3", "4", "5"}:
                dispatcher.utter_message(text=ASK_AGAIN_TEXT, buttons=rating_buttons())
                return no_comment
            candidate = identity_service.current_candidate(db_session=db, conversation_id=conversation_id(tracker),
                                                           metadata=metadata(tracker))
            feedback.record_chat_rating(db_session=db, conversation_id=conversation_id(tracker),
                                        rating=None if value == SKIP else int(value),
                                        candidate_id=candidate.id if candidate else None)
        dispatcher.utter_message(text=SKIPPED_TEXT if value == SKIP else THANKS_TEXT)
        return [SlotSet("chat_rating_offered", True), SlotSet("chat_comment_wanted", value != SKIP)]


class ActionAskChatComment(Action):
    def name(self) -> str:
        return "action_ask_chat_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not validation_spoke(tracker):  # after "too long" the question is not repeated
            dispatcher.utter_message(text=COMMENT_TEXT, buttons=[SKIP_COMMENT_BUTTON])
        return []


class ValidateChatCommentForm(TypedValuesOnly, FormValidationAction):
    """Any text is the comment, except a whole answer meaning skip ("no", "skip", "nothing") and a button's
    payload (the Skip button's /deny, or an earlier message's button: not a comment, so the question ends)."""

    def name(self) -> str:
        return "validate_chat_comment_form"

    def validate_chat_comment(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        text = str(value or "").strip()
        if not text or text.startswith("/") or feedback.means_skip(text):
            return {"chat_comment": SKIP}
        if len(text) > feedback.MAX_COMMENT_CHARS:
            dispatcher.utter_message(text=COMMENT_TOO_LONG_TEXT)
            return {"chat_comment": None}
        return {"chat_comment": text}


class ActionRecordChatComment(Action):
    """Stores the comment (masked) on the conversation's rating, or says it is fine to skip; asked only once."""

    def name(self) -> str:
        return "action_record_chat_comment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        comment = str(tracker.get_slot("chat_comment") or SKIP)
        if comment == SKIP:
            dispatcher.utter_message(text=COMMENT_SKIPPED_TEXT)
        else:
            with session_scope() as db:
                feedback.record_chat_comment(db_session=db, conversation_id=conversation_id(tracker), comment=comment)
            dispatcher.utter_message(text=COMMENT_THANKS_TEXT)
        return [SlotSet("chat_comment", None), SlotSet("chat_comment_wanted", False)]
