"""Journeys in the chat: "why did I get this?" answered with the journey's reason."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, metadata
from assistant.db import session_scope
from assistant.identity import service as identity_service
from assistant.journeys import service as journeys_service

NOTHING_SENT = ("I haven't sent you any automated message that I know of. If you got an e-mail from us, the "
                "\"Stop\" links at its end turn that kind of message off, and a recruiter can tell you more.")


def latest_journey_id(tracker: Tracker) -> str | None:
    """Returns the journey id of the newest journey message in this conversation, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("journey_id"):
            return str(event["metadata"]["journey_id"])
    return None


class ActionExplainJourneyMessage(Action):
    """Says why an automated message was sent: the journey's reason (the chat's own, else the candidate's latest)."""

    def name(self) -> str:
        return "action_explain_journey_message"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        journey_id = latest_journey_id(tracker)
        with session_scope() as db:
            candidate = None if journey_id else identity_service.current_candidate(
                db_session=db, conversation_id=conversation_id(tracker), metadata=metadata(tracker))
            explanation = journeys_service.explain(db_session=db, journey_id=journey_id,
                                                   candidate_id=candidate.id if candidate else None)
        if explanation is None:
            dispatcher.utter_message(text=NOTHING_SENT)
            return []
        dispatcher.utter_message(text=f"That was an automated message (\u201c{explanation.name}\u201d). {explanation.reason}")
        dispatcher.utter_message(text="It is not a decision about your application: people make those. To stop this kind "
                                      "of message, use the \"Stop\" link at the end of the e-mail.")
        return []
