"""Helpers shared by the actions: what the tracker says about the current turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def conversation_id(tracker: Tracker) -> str:
    return tracker.sender_id


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Returns the metadata the channel attached to the latest user message (token, page context)."""
    return (tracker.latest_message or {}).get("metadata") or {}


def client_address(tracker: Tracker) -> str:
    """Returns the client address the Rasa channel put in the metadata (rasa_channel.client), or ""."""
    return str(metadata(tracker).get("client_address") or "")


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def validation_spoke(tracker: Tracker) -> bool:
    """Returns whether the form's validation just said something (e.g. what was wrong with the answer), so
    the ask action that follows does not pile a second question on it. Only messages since the form started
    running count: what an earlier action said this turn does not."""
    for event in reversed(tracker.events):
        if event.get("event") in ("user", "action", "active_loop"):
            return False
        if event.get("event") == "bot":
            return True
    return False


def channel(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "chat").lower()


class TypedValuesOnly:
    """Mixin for a FormValidationAction (put it first) that validates only values the candidate gave.

    rasa-sdk validates every slot set since the last user message, including slots an action reset to None
    just before the form started; those are not answers, so they are not validated (and no error is said
    about input nobody typed). Not an Action itself, so rasa-sdk does not register it.
    """

    async def get_validation_events(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        given = {name: value for name, value in tracker.slots_to_validate().items() if value is not None}
        tracker.slots_to_validate = lambda: dict(given)  # type: ignore[method-assign]
        return await super().get_validation_events(dispatcher, tracker, domain)
