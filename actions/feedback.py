"""The one-question chat rating: offered once per conversation after goodbye or thanks, skippable."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, metadata
from actions.knowledge import entity
from assistant.analytics import feedback
from assistant.db import session_scope
from assistant.identity import service as identity_service

# Offered after "thanks" too, when the bot has just asked "Anything else?": so no "before you go" and no farewell.
OFFER_TEXT = "How would you rate this chat, from 1 (poor) to 5 (great)? You can skip this."
SKIP = "skip"
THANKS_TEXT = "Thanks for rating this chat!"
SKIPPED_TEXT = "No problem."
ALREADY_TEXT = "You have already rated this chat. Thank you!"
ASK_AGAIN_TEXT = "Please pick 1 to 5 stars, or skip."
TYPED = re.compile(r"\b([1-5])\b(?!\s*(?:%|percent))")


def rating_value(tracker: Tracker) -> str:
    """Returns "1".."5", "skip" or "" from the button's entity, else from typed words ("4 out of 5", "5 stars")."""
    value = str(entity(tracker, "rating") or "").strip().lower()
    if value:
        return value
    text = (tracker.latest_message or {}).get("text") or ""
    if text.startswith("/"):
        return ""
    found = TYPED.search(text)
    return found.group(1) if found else ""


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
    """Stores the first rating (or skip) of the conversation and thanks the candidate; a later one is not taken."""

    def name(self) -> str:
        return "action_record_chat_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = rating_value(tracker)
        with session_scope() as db:
            if feedback.get_chat_rating(db_session=db, conversation_id=conversation_id(tracker)) is not None:
                dispatcher.utter_message(text=ALREADY_TEXT)  # once per conversation: a second answer is not taken
                return [SlotSet("chat_rating_offered", True)]
            if value != SKIP and value not in {"1", "2", "3", "4", "5"}:
                dispatcher.utter_message(text=ASK_AGAIN_TEXT, buttons=rating_buttons())
                return []
            candidate = identity_service.current_candidate(db_session=db, conversation_id=conversation_id(tracker),
                                                           metadata=metadata(tracker))
            feedback.record_chat_rating(db_session=db, conversation_id=conversation_id(tracker),
                                        rating=None if value == SKIP else int(value),
                                        candidate_id=candidate.id if candidate else None)
        dispatcher.utter_message(text=SKIPPED_TEXT if value == SKIP else THANKS_TEXT)
        return [SlotSet("chat_rating_offered", True)]
