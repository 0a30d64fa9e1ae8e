"""Over-long messages are refused before any action reads them (the Rasa input channel refuses them
before NLU; this is the action server's own check, for any channel that does not).

``rasa_sdk_plugins`` calls ``overlong_reply`` for every ``POST /webhook`` before rasa-sdk runs the action.
"""

from __future__ import annotations

from typing import Any

from assistant.settings import get_settings


def notice() -> str:
    """Returns what the candidate is told when a message is longer than the assistant reads."""
    limit = get_settings().max_message_chars
    return (f"That message is too long for me to read: please keep it under {limit:,} characters. "
            "You could send the most important part first.")  # the same words as rasa_channel's guard


def overlong_reply(action_call: dict[str, Any]) -> dict[str, Any] | None:
    """Returns the webhook answer for an action call whose latest message is too long, or None to run the action.

    A form's validation gets its requested slot emptied (the form asks again); any other action reverts the
    message, so nothing of it reaches a slot, a parser or the database.
    """
    tracker = action_call.get("tracker") or {}
    text = (tracker.get("latest_message") or {}).get("text") or ""
    if not isinstance(text, str) or len(text) <= get_settings().max_message_chars:
        return None
    requested = (tracker.get("slots") or {}).get("requested_slot")
    if str(action_call.get("next_action", "")).startswith("validate_") and requested:
        events = [{"event": "slot", "name": requested, "value": None, "timestamp": None}]
    else:
        events = [{"event": "rewind", "timestamp": None}]
    return {"events": events, "responses": [{"text": notice()}]}
