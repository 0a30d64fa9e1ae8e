"""The one-question chat rating: offered once per conversation after goodbye or thanks, skippable."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, metadata
from actions.knowledge import entity
from assistant.analytics import feedback
from assistant.db import session_scope
from assistant.identity import service as identity_service

OFFER_TEXT = "Before you go: how would you rate this chat, from 1 (poor) to 5 (great)? You can skip this."
SKIP = "skip"


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
    """Stores the rating (or the skip) and thanks the candidate."""

    def name(self) -> str:
        return "action_record_chat_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = str(entity(tracker, "rating") or "").strip().lower()
        if value != SKIP and value not in {"1", "2", "3", "4", "5"}:
            dispatcher.utter_message(text="Please pick 1 to 5 stars, or skip.", buttons=rating_buttons())
            return []
        with session_scope() as db:
            candidate = identity_service.current_candidate(db_session=db, conversation_id=conversation_id(tracker),
                                                           metadata=metadata(tracker))
            feedback.record_chat_rating(db_session=db, conversation_id=conversation_id(tracker),
                                        rating=None if value == SKIP else int(value),
                                        candidate_id=candidate.id if candidate else None)
        dispatcher.utter_message(text="No problem. Take care!" if value == SKIP else "Thanks for rating this chat!")
        return [SlotSet("chat_rating_offered", True)]
