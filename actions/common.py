"""Helpers shared by the actions: what the tracker says about the current turn."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def conversation_id(tracker: Tracker) -> str:
    return tracker.sender_id


def metadata(tracker: Tracker) -> dict[str, Any]:
    """Returns the metadata the channel attached to the latest user message (token, page context)."""
    return (tracker.latest_message or {}).get("metadata") or {}


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def channel(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "chat").lower()
