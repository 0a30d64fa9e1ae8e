"""Session start and greeting."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, metadata
from assistant import clock
from assistant.db import session_scope
from assistant.identity import service as identity_service
from assistant.inbox import service as inbox_service
from assistant.journeys import service as journeys_service


class ActionSessionStart(Action):
    """Starts a session, carrying slots over, and keeps a handed-off conversation paused.

    A new Rasa session resets the tracker and would silently give a conversation that a recruiter
    holds back to the bot; re-pausing here prevents that.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        events += [
            {"event": "slot", "name": name, "value": value, "timestamp": None}
            for name, value in tracker.slots.items()
            if value is not None and name != "session_started_metadata"
        ]
        with session_scope() as db:
            held = inbox_service.get_open_by_conversation(db_session=db, conversation_id=conversation_id(tracker))
        if held is not None:
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(Action):
    """Greets by first name when the career site vouches for the candidate (the disclosure follows)."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            candidate = identity_service.current_candidate(
                db_session=db, conversation_id=conversation_id(tracker), metadata=metadata(tracker)
            )
            name = candidate.first_name if candidate else None
            stored = journeys_service.take_stored_messages(db_session=db, candidate_id=candidate.id, now=clock.now()) if candidate else []
        dispatcher.utter_message(text=f"Hi {name}! 👋" if name else "Hi there! 👋")
        for text in stored:  # journey messages kept while no chat was open
            dispatcher.utter_message(text=text)
        return []


class ActionCoreFallback(Action):
    """Answers when no next step is predicted with confidence: ask to rephrase, offer a recruiter."""

    def name(self) -> str:
        return "action_core_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text="Sorry, I didn't quite get that. Could you rephrase it?",
            buttons=[{"title": "Talk to a recruiter", "payload": "/request_human"}],
        )
        return [UserUtteranceReverted()]
