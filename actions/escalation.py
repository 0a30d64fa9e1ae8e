"""Hand the conversation to a human: one action for every reason (the reason comes from the intent)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, latest_text, metadata
from assistant.escalation import service as escalation_service
from assistant.escalation.reasons import ESCALATION_INTENTS, REPEATED_FAILURE
from assistant.rasa_client import socketio_custom


def transcript(tracker: Tracker) -> list[dict[str, Any]]:
    """Returns the conversation so far as [{who, text, at}] (candidate and assistant messages)."""
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            who = "candidate" if event["event"] == "user" else "assistant"
            lines.append({"who": who, "text": event["text"], "at": event.get("timestamp")})
    return lines


def reason_of(tracker: Tracker) -> str:
    """Returns the escalation reason: the intent when it is one, else repeated failure or a request for a person."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    if intent in ESCALATION_INTENTS:
        return intent
    return REPEATED_FAILURE if (tracker.get_slot("failed_turns") or 0) >= 2 else "request_human"


class ActionEscalate(Action):
    """Opens (at most) one inbox ticket, tells the candidate what happens next and pauses the bot (over an
    escalation limit: says who has the request or where to write, and carries on)."""

    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        handoff = escalation_service.escalate_conversation(
            conversation_id=conversation_id(tracker), reason_name=reason_of(tracker),
            trigger_message=latest_text(tracker), transcript=transcript(tracker), metadata=metadata(tracker),
        )
        for text in handoff.messages:
            dispatcher.utter_message(text=text)
        if handoff.refused:  # over an abuse limit: nobody new will answer here, so the assistant stays on
            return [SlotSet("failed_turns", 0.0)]
        dispatcher.utter_message(json_message=socketio_custom({"type": "handoff", "state": "waiting"}))  # widget banner
        return [SlotSet("failed_turns", 0.0), ConversationPaused()]  # a fresh count after hand-back
